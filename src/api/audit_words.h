/*
 * The audit log's codes in words, for the audit export's cells: its
 * actions, kinds of record and outcomes in Chinese and English, as the
 * auditor's page says them (audit_words.c is generated from the web's
 * vocabulary by scripts/gen-audit-words.mjs). A code a table does not
 * know stays a code (sheet_word_of).
 */
#ifndef WB_AUDIT_WORDS_H
#define WB_AUDIT_WORDS_H

#include "sheet.h"

extern const sheet_word audit_action_words[];
extern const sheet_word audit_object_words[];
extern const sheet_word audit_outcome_words[];

#endif
