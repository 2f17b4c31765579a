// The command line's contract: every command `weibao --help` lists answers
// `--help` with its usage and exit 0 (without a database), every `user`
// subcommand is in `weibao user --help`, and the README's list of commands
// is the program's list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, BIN, ROOT } from '../api/lib/harness.mjs';

async function commands() {
	const r = await run(BIN, ['--help']);
	assert.equal(r.code, 0, r.stderr);
	// help asked for is an answer: on standard output
	const block = /Commands:\n([\s\S]*?)\n\n/.exec(r.stdout)?.[1] ?? '';
	const names = block
		.split('\n')
		.map((l) => /^\s+([a-z-]+)\s/.exec(l)?.[1])
		.filter(Boolean);
	assert.ok(names.length >= 10, `commands listed: ${names}`);
	return names;
}

test('every command answers --help with its usage, exit 0, no database needed', async () => {
	for (const name of await commands()) {
		const r = await run(BIN, [name, '--help'], { cwd: '/' });
		assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
		assert.match(r.stdout, new RegExp(`usage: weibao ${name}\\b`), `${name} --help prints its usage`);
	}
});

test('every user subcommand is in its usage', async () => {
	for (const sub of ['add', 'passwd', 'lock', 'unlock', 'list']) {
		const r = await run(BIN, ['user', sub, '--help'], { cwd: '/' });
		assert.equal(r.code, 0, `user ${sub} --help: ${r.stderr}`);
		assert.match(r.stdout + r.stderr, new RegExp(`weibao user ${sub}\\b`));
	}
});

test("the README lists the program's commands", async () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const block = /## The binary\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
	const listed = block
		.replace(/^weibao /, '')
		.split(/[|\s]+/)
		.filter((w) => /^[a-z-]+$/.test(w) && !['add', 'passwd', 'lock', 'unlock', 'list'].includes(w));
	assert.deepEqual([...listed].sort(), [...(await commands())].sort());
});
