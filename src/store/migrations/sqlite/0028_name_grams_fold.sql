-- Weibao schema 0028 (SQLite): the name index keeps ASCII letters small.
-- A name search ignores the case of ASCII letters (a search for "anna"
-- finds Anna: minority and foreign names are sometimes written in Latin
-- letters); the index's grams are folded as the search folds the query.
-- Grams written before: folded here (a name with A and a already has the
-- folded gram). lower() of SQLite changes ASCII letters alone.
INSERT INTO child_name_grams (county_code, gram, child_id)
    SELECT county_code, lower(gram), child_id FROM child_name_grams WHERE gram <> lower(gram)
    ON CONFLICT DO NOTHING;
DELETE FROM child_name_grams WHERE gram <> lower(gram);
