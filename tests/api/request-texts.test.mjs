// The closed loop's free texts are limited in characters, as
// docs/openapi.yaml's maxLength says, not in bytes: a Chinese narrative of
// 1,500 characters (4,500 bytes of UTF-8) is a request like any other, and
// one past the limit is refused naming the field (422 too_long), on the
// request, its steps, its comments, its referrals' asks and the
// referrals' own steps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { VILLAGE, act, step, refAct, unitIds } from './lib/loop.mjs';

const han = (n) => '困'.repeat(n); // 3 bytes each
const emoji = (n) => '\u{1F60A}'.repeat(n); // 4 bytes each (two UTF-16 units)

describeEachDriver('request texts', (driver) => {
	let srv, director, centre, charity, units;

	const file = (client, narrative) => client.post('/api/v1/requests', { kind: 'living_hardship', village_code: VILLAGE, child_description: '约9岁女孩', narrative });
	const tooLong = (r, field) => {
		assert.equal(r.status, 422, r.text);
		assert.equal(r.body.error.code, 'too_long', r.text);
		assert.equal(r.body.error.field, field, r.text);
	};

	before(async () => {
		srv = await startServer(driver);
		[director, centre, charity] = await Promise.all(['director', 'center', 'org'].map((u) => srv.login(u)));
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a narrative of up to 4000 characters is filed whole, whatever their bytes; one more is refused naming narrative', async () => {
		for (const text of [han(1500), han(4000), emoji(4000), 'a'.repeat(4000)]) {
			const r = await file(director, text);
			assert.equal(r.status, 201, `${text.length} UTF-16 units: ${r.text.slice(0, 300)}`);
			const back = await director.get(`/api/v1/requests/${r.body.id}`);
			assert.equal(back.body.narrative, text, 'kept whole');
		}
		for (const text of [han(4001), emoji(4001), 'a'.repeat(4001)]) tooLong(await file(director, text), 'narrative');
	});

	test('the steps, comments and referrals of a request count characters too, each refusal naming its field', async () => {
		const q = (await file(centre, han(1500))).body; // the centre's own filing starts accepted
		// a comment
		const ok = await centre.post(`/api/v1/requests/${q.id}/comments`, { text: han(2000) });
		assert.equal(ok.status, 201, ok.text.slice(0, 300));
		tooLong(await centre.post(`/api/v1/requests/${q.id}/comments`, { text: han(2001) }), 'text');
		// a referral's ask, named inside the list of referrals
		tooLong(await act(centre, q.id, 'refer', { referrals: [{ unit_id: units.county_charity, ask: han(1001) }] }), 'referrals[0].ask');
		const referred = await step(centre, q.id, 'refer', { referrals: [{ unit_id: units.county_charity, ask: han(1000) }] });
		assert.equal(referred.state, 'referred');
		// the unit's own steps
		tooLong(await refAct(charity, q.id, 'decline', { reason: han(501) }), 'reason');
		tooLong(await refAct(charity, q.id, 'accept', { note: han(2001) }), 'note');
		const acc = await refAct(charity, q.id, 'accept', { note: han(2000) });
		assert.equal(acc.status, 200, acc.text.slice(0, 300));
		tooLong(await refAct(charity, q.id, 'complete', { result: han(2001) }), 'result');
		const done = await refAct(charity, q.id, 'complete', { result: han(2000) });
		assert.equal(done.status, 200, done.text.slice(0, 300));
		// the request's own steps
		tooLong(await act(centre, q.id, 'send_result', { result: han(2001) }), 'result');
		const sent = await step(centre, q.id, 'send_result', { result: han(2000) });
		assert.equal(sent.result, han(2000));
		tooLong(await act(director, q.id, 'deliver_feedback', { feedback: han(2001), rating: 'satisfied' }), 'feedback');

		const w = (await file(director, '家中困难')).body;
		tooLong(await act(director, w.id, 'withdraw', { reason: han(501) }), 'reason');
		const withdrawn = await step(director, w.id, 'withdraw', { reason: han(500) });
		assert.equal(withdrawn.state, 'withdrawn');
	});
});
