-- Weibao schema 0030 (SQLite): disability types written by earlier imports.
-- The import took any text as a child's disability type, while POST and
-- PATCH /children take the codes alone (and now so does the import, which
-- reads the form's Chinese words as their codes). A type an earlier import
-- stored in those words becomes its code, so that the child's page names it
-- and the form can save the record again; other text is left as it is.
UPDATE children SET disability_type = CASE disability_type
        WHEN '视力残疾' THEN 'visual' WHEN '视力' THEN 'visual'
        WHEN '听力残疾' THEN 'hearing' WHEN '听力' THEN 'hearing'
        WHEN '言语残疾' THEN 'speech' WHEN '言语' THEN 'speech'
        WHEN '肢体残疾' THEN 'physical' WHEN '肢体' THEN 'physical'
        WHEN '智力残疾' THEN 'intellectual' WHEN '智力' THEN 'intellectual'
        WHEN '精神残疾' THEN 'mental' WHEN '精神' THEN 'mental'
        WHEN '多重残疾' THEN 'multiple' WHEN '多重' THEN 'multiple'
    END
    WHERE disability_type IN ('视力残疾', '视力', '听力残疾', '听力', '言语残疾', '言语', '肢体残疾', '肢体',
                              '智力残疾', '智力', '精神残疾', '精神', '多重残疾', '多重');
