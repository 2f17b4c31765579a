-- Weibao schema 0034 (SQLite): an import keeps the columns of its file's
-- header that the import does not know (a JSON array of the headers), so
-- its answer and its report tell the clerk which columns were not read
-- (a typo such as 身分证号 for 身份证号, or a column of notes of their own).
ALTER TABLE imports ADD COLUMN ignored_columns TEXT;
