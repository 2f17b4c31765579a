-- Weibao schema 0023 (SQLite): a counselling session recorded by
-- mistake (saved twice, the wrong pupil) is voided (作废) with the reason,
-- as a visit is (0021): it stays in the school's list, marked, and no
-- longer counts in the school's figures, the monthly report or the trends.
ALTER TABLE counselling_sessions ADD COLUMN voided_at BIGINT;
ALTER TABLE counselling_sessions ADD COLUMN voided_by BIGINT REFERENCES users(id);
ALTER TABLE counselling_sessions ADD COLUMN void_reason TEXT;
