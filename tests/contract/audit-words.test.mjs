// The audit export's words (src/api/audit_words.c) are the audit page's
// (web/src/lib/auditActions.js and the locale catalogues): the generated
// table is what scripts/gen-audit-words.mjs writes from them today, so a
// new action or a changed label reaches the export too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.WEIBAO_ROOT || join(dirname(fileURLToPath(import.meta.url)), '../..');

test('src/api/audit_words.c is generated from the web vocabulary as it is now', () => {
	const r = spawnSync(process.execPath, [join(root, 'scripts/gen-audit-words.mjs'), '--check'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
});
