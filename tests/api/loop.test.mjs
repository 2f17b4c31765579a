// The closed loop (SPEC §4) over the API, on SQLite and PostgreSQL: the
// story of the county it is modelled on from the child director's report
// to the delivered feedback, with its full timeline; the referral grant on
// the child's file (and its end); mandatory reports; the state machine's
// refusals (409 with the allowed steps, 403 for a role that may never take
// a step), version races, withdraw and reopen; inbox; attachments; the
// priority flag; the department's own list; metrics and configuration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvObjects, download } from './lib/registry.mjs';
import { sheetRows } from './lib/xlsx.mjs';
import {
	VILLAGE,
	TOWNSHIP,
	OTHER_VILLAGE,
	act,
	step,
	referralOf,
	refAct,
	unitIds,
	cstDate,
	birthForAge,
	inbox,
	PNG,
	PDF,
	postExpecting,
} from './lib/loop.mjs';

describeEachDriver('closed loop', (driver) => {
	let srv, director, station, supervisor, centre, committee, medical, charity, police, school, director2, auditor;
	let units;
	let story; // {child, request} of the leukaemia story, closed at the end of its test

	before(async () => {
		srv = await startServer(driver);
		[director, station, supervisor, centre, committee, medical, charity, police, school, director2, auditor] =
			await Promise.all(
				[
					'director',
					'station',
					'supervisor',
					'center',
					'committee',
					'dept_medical_insurance',
					'org',
					'dept_public_security',
					'school',
					'director2',
					'auditor',
				].map((u) => srv.login(u)),
			);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const newChild = async (extra = {}) => {
		const r = await director.post('/api/v1/children', {
			name: uniqueName('求助'),
			sex: 'M',
			birth_date: birthForAge(7),
			village_code: VILLAGE,
			...extra,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const file = async (client, body) => {
		const r = await client.post('/api/v1/requests', { kind: 'medical', narrative: '需要帮助', ...body });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};

	test('the story: a 7-year-old with leukaemia, from the village to two referrals and back, with every step on the timeline', async () => {
		const child = await newChild({
			serious_illness: '急性淋巴细胞白血病',
			family_poverty: true,
			notes: '只给工作人员看的备注',
			guardians: [{ relation: 'father', name: '王某某', status: 'working_away', work_place: '上海', phone: '13800138000' }],
		});
		// 1. the child director files the request
		const filed = await file(director, {
			child_id: child.id,
			kind: 'medical',
			narrative: '7岁儿童确诊白血病，家庭困难，需要医疗救助。',
		});
		assert.equal(filed.state, 'reported');
		assert.equal(filed.child.id, child.id);
		assert.equal(filed.child.age, 7);
		assert.equal(filed.village_code, VILLAGE);
		assert.equal(filed.township_code, TOWNSHIP);
		assert.deepEqual(filed.holder.tier, 'township', 'the township station holds a new report');
		assert.equal(filed.holder.area_code, TOWNSHIP);
		assert.ok(filed.due_at > filed.state_since, 'the step has a deadline');
		assert.equal(filed.reporter.user_id, director.me.user.id);
		const id = filed.id;

		// 2. the station reviews and forwards it to the centre
		let q = await step(station, id, 'review');
		assert.equal(q.state, 'township_review');
		assert.deepEqual(q.allowed_actions.sort(), ['forward', 'resolve', 'withdraw'].sort());
		q = await step(station, id, 'forward', { note: '需县级统筹医疗救助' });
		assert.equal(q.state, 'forwarded');
		assert.equal(q.holder.tier, 'centre');

		// 3. the centre accepts and refers to the medical-insurance bureau and the county charity association
		q = await step(centre, id, 'accept');
		assert.equal(q.state, 'accepted');
		const due = cstDate(20);
		q = await step(centre, id, 'refer', {
			referrals: [
				{ unit_id: units.medical_insurance, ask: '临时医疗救助', fields: ['health', 'guardians'], due_date: due },
				{ unit_id: units.county_charity, ask: '慈善救助金', fields: ['health'] },
			],
		});
		assert.equal(q.state, 'referred');
		assert.equal(q.holder.tier, 'units');
		const detail = (await centre.get(`/api/v1/requests/${id}`)).body;
		assert.deepEqual(
			detail.holder.units.map((u) => u.code).sort(),
			['county_charity', 'medical_insurance'],
			'the centre sees who holds it',
		);
		assert.equal(detail.referrals.length, 2);
		// a unit sees itself among the holders, not the others (that the
		// police or another bureau hold a case is not its to know)
		for (const [unit, code] of [[medical, 'medical_insurance'], [charity, 'county_charity']]) {
			const its = await unit.get(`/api/v1/requests/${id}`);
			assert.equal(its.status, 200, its.text);
			assert.deepEqual(its.body.holder.units.map((u) => u.code), [code]);
			assert.deepEqual(its.body.referrals.map((f) => f.unit.code), [code]);
			const other = code === 'medical_insurance' ? 'county_charity' : 'medical_insurance';
			assert.ok(!its.text.includes(other), `${code} reads nothing of ${other}`);
		}

		// while its referral is active the bureau reads the child within the granted fields
		const seen = await medical.get(`/api/v1/children/${child.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.body.name, child.name);
		assert.equal(seen.body.age, 7);
		assert.equal(seen.body.serious_illness, '急性淋巴细胞白血病', 'health was granted');
		assert.equal(seen.body.guardians.length, 1, 'guardians were granted');
		// the guardians were granted so that the bureau can reach them: their numbers whole on the file
		assert.equal(seen.body.guardians[0].phone, '13800138000', 'a granted guardian can be called');
		assert.equal(seen.body.guardians[0].phone_masked, false);
		assert.deepEqual(seen.body.granted_fields.sort(), ['guardians', 'health']);
		for (const k of ['notes', 'id_number', 'village_code', 'family_poverty', 'categories', 'director_id'])
			assert.ok(!(k in seen.body), `${k} was not granted`);
		assert.equal((await medical.get(`/api/v1/children/${child.id}/history`)).status, 403);
		const charitySees = await charity.get(`/api/v1/children/${child.id}`);
		assert.equal(charitySees.status, 200);
		assert.ok(!('guardians' in charitySees.body), 'the charity was not granted guardians');
		const listed = await medical.get('/api/v1/children');
		assert.ok(!listed.text.includes('13800138000'), 'lists stay masked');
		assert.deepEqual(
			listed.body.items.map((c) => c.id),
			[child.id],
			'the bureau lists only the referred child',
		);
		// and cannot sort its referred children by what it was not granted
		// (a school or a director would tell the child's school and place)
		for (const q of ['guardian_status=imprisoned', 'category=left_behind', 'risk_level=high', 'age_min=3', `area=${VILLAGE}`, 'id_number=370831201501010011', 'sort=birth_date', 'school_id=1', 'director_id=1']) {
			const f = await medical.get(`/api/v1/children?${q}`);
			assert.equal(f.status, 403, `${q}: ${f.text}`);
			assert.equal(f.body.error.field, q.split('=')[0]);
		}
		assert.equal((await medical.get(`/api/v1/children?q=${encodeURIComponent(child.name.slice(0, 2))}&sort=name`)).status, 200);
		// the bureau's referral shows the child while active
		const mine = await referralOf(medical, id);
		assert.equal(mine.unit.code, 'medical_insurance');
		assert.equal(mine.ask, '临时医疗救助');
		assert.equal(mine.child.id, child.id);
		assert.deepEqual(mine.allowed_actions, ['accept', 'decline']);
		assert.ok(mine.due_at > 0);
		// a step on a stale version is refused as such, and the refusal audited
		const stale = await medical.post(`/api/v1/referrals/${mine.id}/actions`, { action: 'accept', version: mine.version + 3 });
		assert.equal(stale.status, 409, stale.text);
		assert.equal(stale.body.error.code, 'version_conflict');
		const refused = (await auditor.get(`/api/v1/audit?action=referral.accept&object_id=${mine.id}`)).body.items;
		assert.deepEqual(refused.map((e) => e.outcome), ['conflict']);
		assert.equal(JSON.parse(refused[0].detail).state, 'pending');

		// 4. both accept and finish with results
		let r = await refAct(medical, id, 'accept');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.state, 'accepted');
		r = await refAct(medical, id, 'progress', { note: '已受理，正在审核医疗费用' });
		assert.equal(r.status, 200, r.text);
		r = await refAct(medical, id, 'complete', { result: '已批准临时医疗救助 3 万元' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.state, 'done');
		assert.equal(r.body.child, null, 'no child once the referral is done');
		// the bureau's access ended with its referral
		assert.equal((await medical.get(`/api/v1/children/${child.id}`)).status, 404);
		assert.deepEqual((await medical.get('/api/v1/children')).body.items, []);
		assert.equal((await centre.get(`/api/v1/requests/${id}`)).body.state, 'referred', 'the charity still works on it');
		r = await refAct(charity, id, 'accept');
		assert.equal(r.status, 200, r.text);
		r = await refAct(charity, id, 'complete', { result: '县慈善总会资助 1 万元' });
		assert.equal(r.status, 200, r.text);
		// every referral ended: the request moved on by itself
		q = (await centre.get(`/api/v1/requests/${id}`)).body;
		assert.equal(q.state, 'referrals_done');
		assert.deepEqual(q.allowed_actions, ['refer', 'send_result', 'withdraw', 'set_priority']);

		// 5. the centre sends the result down; the director delivers it and records the feedback
		q = await step(centre, id, 'send_result', { result: '医保临时救助 3 万元，慈善资助 1 万元，已到账。' });
		assert.equal(q.state, 'result_sent');
		assert.equal(q.holder.tier, 'village');
		assert.equal((await act(centre, id, 'close')).status, 409, 'not closed before the feedback');
		q = await step(director, id, 'deliver_feedback', { feedback: '已当面告知家长，家长表示感谢。', rating: 'satisfied' });
		assert.equal(q.state, 'feedback_delivered');
		assert.equal(q.feedback.rating, 'satisfied');

		// 6. the centre closes it
		q = await step(centre, id, 'close');
		assert.equal(q.state, 'closed');
		assert.ok(q.closed_at > 0);
		assert.equal(q.holder, null);

		// the timeline shows every step: who, when, how long against its deadline
		const full = (await centre.get(`/api/v1/requests/${id}`)).body;
		const steps = full.timeline.steps;
		assert.deepEqual(
			steps.map((s) => `${s.action}:${s.to_state}`),
			[
				'file:reported',
				'review:township_review',
				'forward:forwarded',
				'accept:accepted',
				'refer:referred',
				'refer:pending',
				'refer:pending',
				'referral_accept:accepted',
				'referral_progress:accepted',
				'referral_complete:done',
				'referral_accept:accepted',
				'referral_complete:done',
				'referrals_complete:referrals_done',
				'send_result:result_sent',
				'deliver_feedback:feedback_delivered',
				'close:closed',
			],
		);
		const byAction = (a) => steps.filter((s) => s.action === a);
		assert.equal(byAction('file')[0].actor.user_id, director.me.user.id);
		assert.equal(byAction('review')[0].actor.role, 'station');
		assert.equal(byAction('review')[0].from_state, 'reported');
		assert.equal(byAction('accept')[0].actor.role, 'center');
		assert.equal(byAction('referral_complete')[0].unit_id, units.medical_insurance);
		assert.equal(byAction('referral_complete')[1].unit_id, units.county_charity);
		assert.equal(byAction('referrals_complete')[0].actor.role, 'system');
		assert.equal(byAction('deliver_feedback')[0].actor.role, 'director');
		for (const s of steps) {
			assert.ok(s.at >= filed.created_at, `${s.action} has its time`);
			assert.ok(s.actor, `${s.action} names who took it`);
			if (s.from_state && s.action !== 'referral_progress') {
				assert.ok(s.duration_s >= 0, `${s.action} says how long its stage took`);
				assert.equal(s.duration_s, s.at - s.started_at);
				assert.equal(s.overdue, s.due_at !== null && s.at > s.due_at);
			}
		}
		for (const a of ['review', 'forward', 'accept', 'send_result', 'deliver_feedback', 'close'])
			assert.ok(byAction(a)[0].due_at > byAction(a)[0].started_at, `${a}: the stage it ended had a deadline`);
		assert.equal(full.timeline.current.stage, 'closed');
		story = { child, id };

		// every step and every read of the request is in the audit log
		const log = await auditor.listAll(`/api/v1/audit?object_type=request&object_id=${id}`);
		const actions = new Set(log.map((e) => e.action));
		for (const a of ['request.file', 'request.review', 'request.forward', 'request.accept', 'request.refer', 'request.send_result', 'request.deliver_feedback', 'request.close', 'request.read'])
			assert.ok(actions.has(a), `audit has ${a}`);
		// with the steps of its referrals: the request's whole path in one list
		const refIds = (await centre.get(`/api/v1/referrals?request_id=${id}`)).body.items.map((f) => String(f.id));
		assert.equal(refIds.length, 2);
		for (const a of ['referral.accept', 'referral.complete']) {
			const of = log.filter((e) => e.action === a && e.outcome === 'ok'); // the steps taken (a refused one is logged too)
			assert.deepEqual(of.map((e) => e.object_id).sort(), [...refIds].sort(), `${a} of both referrals`);
			assert.ok(of.every((e) => e.object_type === 'referral'));
		}
		assert.ok(log.every((e) => (e.object_type === 'request' && e.object_id === String(id)) || (e.object_type === 'referral' && refIds.includes(e.object_id))), 'nothing else');
		const refLog = await auditor.listAll('/api/v1/audit?object_type=referral');
		assert.ok(refLog.filter((e) => e.action === 'referral.complete').length >= 2);
	});

	test('a closed request can be reopened (with a reason) and the department list shows only its own referrals', async () => {
		assert.ok(story, 'runs after the story');
		assert.equal((await act(centre, story.id, 'reopen')).status, 422, 'a reason is required');
		const q = await step(centre, story.id, 'reopen', { reason: '家长反映后续治疗仍需救助' });
		assert.equal(q.state, 'accepted');
		assert.equal(q.closed_at, null);
		assert.equal(q.feedback, null, 'the feedback is asked again');
		assert.equal(q.result, null, 'and a new result');
		const steps = (await centre.get(`/api/v1/requests/${story.id}`)).body.timeline.steps;
		assert.ok(
			steps.some((s) => s.action === 'send_result' && s.note),
			'the earlier result stays on its step',
		);
		// a second request referred only to the charity: the bureau does not see it
		const other = await file(director, { village_code: VILLAGE, child_description: '约10岁女孩', kind: 'living_hardship' });
		await step(centre, other.id, 'accept');
		await step(centre, other.id, 'refer', { referrals: [{ unit_id: units.county_charity, ask: '生活救助' }] });
		const bureau = await medical.listAll('/api/v1/referrals');
		assert.ok(bureau.length >= 1);
		for (const f of bureau) assert.equal(f.unit.code, 'medical_insurance');
		assert.ok(!bureau.some((f) => f.request_id === other.id));
		// asking for another unit's referrals finds none; asking for one's own is one's own list
		const forced = await medical.listAll(`/api/v1/referrals?unit_id=${units.county_charity}`);
		assert.deepEqual(forced, [], 'another unit’s referrals are not the bureau’s to list');
		const own = await medical.listAll(`/api/v1/referrals?unit_id=${units.medical_insurance}`);
		assert.deepEqual(own.map((f) => f.id).sort(), bureau.map((f) => f.id).sort(), 'its own filter is its own list');
		const org = await charity.listAll('/api/v1/referrals');
		assert.ok(org.some((f) => f.request_id === other.id));
		for (const f of org) assert.equal(f.unit.code, 'county_charity');
		// the bureau may not read or act on the charity's referral or request
		const theirs = (await centre.get(`/api/v1/referrals?request_id=${other.id}`)).body.items[0];
		const steal = await medical.post(`/api/v1/referrals/${theirs.id}/actions`, { action: 'accept', version: theirs.version });
		assert.equal(steal.status, 404, steal.text);
		assert.equal((await medical.get(`/api/v1/requests/${other.id}`)).status, 404);
		assert.equal((await director.get('/api/v1/referrals')).status, 403);
		// a declined referral goes back to the centre
		const dec = await refAct(charity, other.id, 'decline');
		assert.equal(dec.status, 422, 'a reason is required');
		const blankReason = await refAct(charity, other.id, 'decline', { reason: ' \n\u3000' });
		assert.equal(blankReason.status, 422, 'blanks are no reason');
		assert.equal(blankReason.body.error.field, 'reason');
		const ok = await refAct(charity, other.id, 'decline', { reason: '不属于本会救助范围' });
		assert.equal(ok.status, 200, ok.text);
		const back = (await centre.get(`/api/v1/requests/${other.id}`)).body;
		assert.equal(back.state, 'referrals_done');
		assert.equal(back.holder.tier, 'centre');
		assert.equal(back.referrals[0].decline_reason, '不属于本会救助范围');
		// and the centre refers again, to another unit
		const again = await step(centre, other.id, 'refer', { referrals: [{ unit_id: units.civil_affairs, ask: '临时救助' }] });
		assert.equal(again.state, 'referred');
		const dup = await act(centre, other.id, 'refer', { referrals: [{ unit_id: units.civil_affairs, ask: '再次' }] });
		assert.equal(dup.status, 409);
		assert.equal(dup.body.error.code, 'duplicate_referral');
	});

	test('every referral of a list page names its own request, and its child while it is active', async () => {
		// three requests (two of registered children), each referred to two units; the charity declines one
		const kids = [await newChild(), await newChild(), null];
		const reqs = [];
		for (const [i, kid] of kids.entries()) {
			const q = await file(director, kid ? { child_id: kid.id, kind: i ? 'schooling' : 'medical' } : { village_code: VILLAGE, child_description: '未登记的孩子' });
			await step(station, q.id, 'review');
			await step(station, q.id, 'forward');
			await step(centre, q.id, 'accept');
			await step(centre, q.id, 'refer', {
				referrals: [
					{ unit_id: units.medical_insurance, ask: '医疗救助', fields: ['health'] },
					{ unit_id: units.county_charity, ask: '慈善救助' },
				],
			});
			reqs.push({ ...q, kid });
		}
		const declined = await refAct(charity, reqs[0].id, 'decline', { reason: '不属于本会救助范围' });
		assert.equal(declined.status, 200, declined.text);
		assert.equal(declined.body.request.id, reqs[0].id, 'a step answers the referral with its request');
		assert.equal(declined.body.child, null, 'and no child once it has ended');
		const check = async (items, who) => {
			const mine = items.filter((f) => reqs.some((q) => q.id === f.request_id));
			assert.equal(new Set(mine.map((f) => f.id)).size, mine.length, `${who}: no referral twice across pages`);
			for (const f of mine) {
				const q = reqs.find((x) => x.id === f.request_id);
				const now = (await centre.get(`/api/v1/requests/${q.id}`)).body;
				assert.deepEqual(
					f.request,
					{ id: q.id, kind: q.kind, urgency: now.urgency, priority: now.priority, mandatory: now.mandatory, state: now.state },
					`${who}: referral ${f.id} names request ${q.id}`,
				);
				if (q.kid && ['pending', 'accepted'].includes(f.state)) {
					assert.equal(f.child?.id, q.kid.id, `${who}: referral ${f.id} shows its child`);
					assert.equal(f.child.name, q.kid.name);
				} else {
					assert.equal(f.child, null, `${who}: referral ${f.id} shows no child`);
				}
			}
			return mine;
		};
		// small pages, so that a page holds referrals of several requests and a request spans pages
		const all = await check(await centre.listAll('/api/v1/referrals?state=all', { limit: 4 }), 'centre');
		assert.equal(all.length, 6);
		assert.equal(all.filter((f) => f.state === 'declined').length, 1);
		assert.equal((await check(await medical.listAll('/api/v1/referrals', { limit: 2 }), 'bureau')).length, 3);
		assert.equal((await check(await charity.listAll('/api/v1/referrals?state=all', { limit: 3 }), 'charity')).length, 3);
	});

	test('an invalid step answers 409 with the allowed next steps; a role that may never take it gets 403', async () => {
		const q = await file(director, { village_code: VILLAGE, child_description: '未登记的男孩', kind: 'schooling' });
		const bad = await act(station, q.id, 'forward');
		assert.equal(bad.status, 409, bad.text);
		assert.equal(bad.body.error.code, 'invalid_transition');
		assert.equal(bad.body.error.state, 'reported');
		assert.deepEqual(bad.body.error.allowed, ['review', 'withdraw', 'link_child']);
		const never = await act(director, q.id, 'accept');
		assert.equal(never.status, 403, never.text);
		assert.deepEqual(never.body.error.allowed, ['withdraw', 'link_child']);
		const unknown = await act(station, q.id, 'teleport');
		assert.equal(unknown.status, 422);
		const stale = await station.post(`/api/v1/requests/${q.id}/actions`, { action: 'review', version: q.version + 5 });
		assert.equal(stale.status, 409);
		assert.equal(stale.body.error.code, 'version_conflict');
		const noVersion = await station.post(`/api/v1/requests/${q.id}/actions`, { action: 'review' });
		assert.equal(noVersion.status, 422);
		// a narrative of blanks says nothing: refused on its field, nothing filed
		const newest = async () => (await director.get('/api/v1/requests?limit=1')).body.items[0]?.id;
		const before = await newest();
		assert.ok(before > 0);
		for (const narrative of ['   ', '\n\t ', '\u3000']) {
			const r = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'schooling', narrative });
			assert.equal(r.status, 422, JSON.stringify(narrative));
			assert.equal(r.body.error.field, 'narrative');
		}
		assert.equal(await newest(), before);
		// a request of another township is not there for this station
		const far = await file(director2, { village_code: OTHER_VILLAGE, kind: 'legal' });
		assert.equal((await station.get(`/api/v1/requests/${far.id}`)).status, 404);
		assert.equal((await director.get(`/api/v1/requests/${far.id}`)).status, 404);
		assert.ok(!(await station.listAll('/api/v1/requests')).some((x) => x.id === far.id));
		const own = await station.listAll('/api/v1/requests?state=open');
		for (const x of own) assert.equal(x.township_code, TOWNSHIP);
		assert.ok(own.some((x) => x.id === q.id));
	});

	test('two people taking a step at once: exactly one 200, the other 409', async () => {
		for (let i = 0; i < 3; i++) {
			const q = await file(director, { village_code: VILLAGE, kind: 'other' });
			const station01 = await srv.login('station01');
			const both = await Promise.all(
				[station, station01].map((c) => c.post(`/api/v1/requests/${q.id}/actions`, { action: 'review', version: q.version })),
			);
			const codes = both.map((r) => r.status).sort();
			assert.deepEqual(codes, [200, 409], both.map((r) => r.text).join(' / '));
			const after = (await centre.get(`/api/v1/requests/${q.id}`)).body;
			assert.equal(after.version, q.version + 1, 'one step was taken');
			assert.equal(after.timeline.steps.filter((s) => s.action === 'review').length, 1);
		}
	});

	test('the loser of two steps at once is told the request changed meanwhile (409 version_conflict), and its refused attempt is audited', async () => {
		const station01 = await srv.login('station01');
		for (let i = 0; i < 4; i++) {
			const q = await file(director, { village_code: VILLAGE, kind: 'other' });
			const both = await Promise.all(
				[station, station01].map((c) => c.post(`/api/v1/requests/${q.id}/actions`, { action: 'review', version: q.version })),
			);
			const loser = both.find((r) => r.status !== 200);
			assert.ok(loser && both.some((r) => r.status === 200), both.map((r) => r.text).join(' / '));
			assert.equal(loser.status, 409, loser.text);
			assert.equal(loser.body.error.code, 'version_conflict', loser.text);
			const log = (await auditor.get(`/api/v1/audit?action=request.review&object_id=${q.id}`)).body.items;
			assert.deepEqual(log.map((e) => e.outcome).sort(), ['conflict', 'ok'], JSON.stringify(log));
		}
		// a step the state does not allow, with the version just read, is still
		// invalid_transition, and audited as refused
		const q = await file(director, { village_code: VILLAGE, kind: 'other' });
		const bad = await act(station, q.id, 'forward');
		assert.equal(bad.status, 409, bad.text);
		assert.equal(bad.body.error.code, 'invalid_transition');
		const refused = (await auditor.get(`/api/v1/audit?action=request.forward&object_id=${q.id}`)).body.items;
		assert.deepEqual(refused.map((e) => e.outcome), ['conflict']);
		assert.equal(JSON.parse(refused[0].detail).state, 'reported');
	});

	test('withdraw with a reason: by the filer while reported, by the centre later; nothing follows', async () => {
		const q = await file(director, { village_code: VILLAGE, kind: 'bullying' });
		assert.equal((await act(director, q.id, 'withdraw')).status, 422);
		const w = await step(director, q.id, 'withdraw', { reason: '已由学校处理' });
		assert.equal(w.state, 'withdrawn');
		assert.deepEqual(w.allowed_actions, []);
		const after = await act(station, q.id, 'review');
		assert.equal(after.status, 409);
		assert.deepEqual(after.body.error.allowed, []);
		assert.equal(after.body.error.state, 'withdrawn');
		// nor a file: a settled request stays as it was settled
		const late = await director.request('POST', `/api/v1/requests/${q.id}/attachments?name=late.pdf`, {
			body: Buffer.from('%PDF-1.4\n%late\n'),
			headers: { 'Content-Type': 'application/octet-stream' },
		});
		assert.equal(late.status, 409, late.text);
		assert.equal(late.body.error.code, 'request_closed');
		assert.deepEqual((await director.get(`/api/v1/requests/${q.id}`)).body.attachments, []);
		// the centre withdraws a referred request: its referrals end, with their grants
		const child = await newChild();
		const r = await file(director, { child_id: child.id, kind: 'guardianship' });
		await step(centre, r.id, 'accept');
		await step(centre, r.id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: '评估' }] });
		assert.equal((await medical.get(`/api/v1/children/${child.id}`)).status, 200);
		const cw = await step(centre, r.id, 'withdraw', { reason: '重复上报' });
		assert.equal(cw.state, 'withdrawn');
		const f = (await centre.get(`/api/v1/referrals?request_id=${r.id}`)).body.items[0];
		assert.equal(f.state, 'cancelled');
		assert.equal((await medical.get(`/api/v1/children/${child.id}`)).status, 404);
	});

	test('a referral must say what is asked: blanks alone (full-width, zero-width) are no ask, named by the referral', async () => {
		const q = await file(centre, { village_code: VILLAGE, kind: 'medical' });
		for (const ask of ['   ', '\u3000\u3000', '\u200b', '\ufeff\u00a0']) {
			const r = await act(centre, q.id, 'refer', {
				referrals: [
					{ unit_id: units.county_charity, ask: '生活帮扶' },
					{ unit_id: units.medical_insurance, ask },
				],
			});
			assert.equal(r.status, 422, `${JSON.stringify(ask)}: ${r.text}`);
			assert.equal(r.body.error.field, 'referrals[1].ask');
		}
		const v = (await centre.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal(v.state, 'accepted', 'nothing referred');
		assert.equal(v.referrals.length, 0);
	});

	test('a local resolution: resolved by the station, delivered by the director, closed by the station', async () => {
		const q = await file(director, { village_code: VILLAGE, kind: 'schooling' });
		await step(station, q.id, 'review');
		assert.equal((await act(station, q.id, 'resolve')).status, 422, 'a result is required');
		const blank = await act(station, q.id, 'resolve', { result: '\t  ' });
		assert.equal(blank.status, 422, 'blanks are no result');
		assert.equal(blank.body.error.field, 'result');
		let s = await step(station, q.id, 'resolve', { result: '已协调学校办理入学' });
		assert.equal(s.state, 'resolved_locally');
		assert.equal(s.holder.tier, 'village');
		// the director who filed it is also the village's director: told once
		const told = (await inbox(director)).filter((m) => m.request_id === q.id && m.event === 'request.resolve');
		assert.equal(told.length, 1, JSON.stringify(told));
		s = await step(director, q.id, 'deliver_feedback', { feedback: '孩子已入学', rating: 'basically_satisfied' });
		assert.equal(s.holder.tier, 'township');
		s = await step(station, q.id, 'close');
		assert.equal(s.state, 'closed');
	});

	test('an unidentified child is linked later', async () => {
		const q = await file(director, { village_code: VILLAGE, child_description: '集市上的流浪男孩，约8岁', kind: 'living_hardship' });
		assert.equal(q.child, null);
		assert.equal(q.child_description, '集市上的流浪男孩，约8岁');
		const child = await newChild();
		const linked = await step(director, q.id, 'link_child', { child_id: child.id });
		assert.equal(linked.child.id, child.id);
		assert.ok(!linked.allowed_actions.includes('link_child'), 'linked once');
		const far = await director2.post('/api/v1/children', { name: uniqueName('远'), sex: 'F', birth_date: '2015-01-01', village_code: OTHER_VILLAGE });
		const q2 = await file(director, { village_code: VILLAGE, kind: 'other' });
		assert.equal((await act(director, q2.id, 'link_child', { child_id: far.body.id })).status, 422, 'only a child one can see');
	});

	test('a request the centre links to a child of another township is that place\'s: its filer reads it but takes no township or village step', async () => {
		const far = await director2.post('/api/v1/children', { name: uniqueName('外镇'), sex: 'F', birth_date: birthForAge(9), village_code: OTHER_VILLAGE });
		assert.equal(far.status, 201, far.text);
		// a director reports a child they do not know; the centre finds her registered in another township
		const q = await file(director, { village_code: VILLAGE, child_description: '集市上的女孩', kind: 'living_hardship' });
		await step(centre, q.id, 'accept');
		const linked = await step(centre, q.id, 'link_child', { child_id: far.body.id });
		assert.equal(linked.village_code, OTHER_VILLAGE);
		await step(centre, q.id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: '生活帮扶' }] });
		assert.equal((await refAct(medical, q.id, 'accept')).status, 200);
		assert.equal((await refAct(medical, q.id, 'complete', { result: '已发放临时救助' })).status, 200);
		await step(centre, q.id, 'send_result', { result: '已发放临时救助' });
		// the filer still reads it, but the result is delivered by the child's own village
		const mine = await director.get(`/api/v1/requests/${q.id}`);
		assert.equal(mine.status, 200, 'the filer reads their filing');
		assert.ok(!mine.body.allowed_actions.includes('deliver_feedback'), mine.body.allowed_actions.join());
		const wrong = await act(director, q.id, 'deliver_feedback', { feedback: '已送达', rating: 'satisfied' });
		assert.equal(wrong.status, 403, wrong.text);
		assert.equal((await director.get(`/api/v1/requests/${q.id}`)).body.version, mine.body.version, 'nothing written');
		assert.ok((await director2.get(`/api/v1/requests/${q.id}`)).body.allowed_actions.includes('deliver_feedback'));
		assert.equal((await step(director2, q.id, 'deliver_feedback', { feedback: '已送达', rating: 'satisfied' })).state, 'feedback_delivered');
		// a township's own filing, linked to a child of another township: that township's desk reviews it
		const station03 = await srv.login('station03');
		const t = await file(station, { village_code: VILLAGE, child_description: '走失的女孩', kind: 'guardianship' });
		assert.equal(t.state, 'township_review');
		const far2 = await director2.post('/api/v1/children', { name: uniqueName('外镇'), sex: 'F', birth_date: birthForAge(10), village_code: OTHER_VILLAGE });
		await step(centre, t.id, 'link_child', { child_id: far2.body.id });
		const asFiler = await station.get(`/api/v1/requests/${t.id}`);
		assert.equal(asFiler.status, 200);
		assert.ok(!asFiler.body.allowed_actions.includes('resolve'), asFiler.body.allowed_actions.join());
		assert.equal((await act(station, t.id, 'resolve', { result: '已联系家长' })).status, 403);
		assert.equal((await act(station, t.id, 'forward')).status, 403);
		assert.equal((await step(station03, t.id, 'resolve', { result: '已联系家长' })).state, 'resolved_locally');
	});

	test('a request the centre links to a child of another township is told to the place that now holds its step; the township it left is not', async () => {
		const station03 = await srv.login('station03');
		const q = await file(director, { village_code: VILLAGE, child_description: '车站附近的男孩', kind: 'living_hardship' });
		assert.equal(q.state, 'reported');
		const far = await director2.post('/api/v1/children', { name: uniqueName('外镇'), sex: 'M', birth_date: birthForAge(8), village_code: OTHER_VILLAGE });
		const linked = await step(centre, q.id, 'link_child', { child_id: far.body.id });
		// the review is now station03's: it hears of it once, with the step's deadline
		const told = (await inbox(station03)).filter((m) => m.request_id === q.id);
		assert.deepEqual(told.map((m) => m.event), ['request.link_child'], JSON.stringify(told));
		assert.equal(told[0].due_at, linked.due_at);
		assert.ok(!(await inbox(station)).some((m) => m.request_id === q.id && m.event === 'request.link_child'), 'nothing for the township it left');
		assert.equal((await step(station03, q.id, 'review')).state, 'township_review');
		// linked within its own village: nobody new to tell
		const child = await newChild();
		const q2 = await file(director, { village_code: VILLAGE, child_description: '本村男孩', kind: 'other' });
		await step(station, q2.id, 'link_child', { child_id: child.id });
		assert.ok(!(await inbox(station)).some((m) => m.request_id === q2.id && m.event === 'request.link_child'));
		assert.ok(!(await inbox(director)).some((m) => m.request_id === q2.id && m.event === 'request.link_child'));
	});

	test('a unit granted the ID number or the guardians reads them whole on the file, masked in its lists', async () => {
		const ids = await IdFactory.fromServer(centre);
		const idNumber = ids.next({ sex: 'F', birth: birthForAge(9).replaceAll('-', '') });
		const child = await newChild({
			sex: 'F',
			birth_date: birthForAge(9),
			id_number: idNumber,
			guardians: [{ relation: 'mother', name: '赵某', status: 'present', phone: '13900139000' }],
		});
		const q = await file(director, { child_id: child.id, kind: 'abuse_violence', narrative: '邻居反映儿童受到殴打' });
		await step(station, q.id, 'review');
		await step(station, q.id, 'forward');
		await step(centre, q.id, 'accept');
		await step(centre, q.id, 'refer', {
			referrals: [{ unit_id: units.public_security, ask: '核查并依法处置', fields: ['id_number', 'guardians'], due_date: cstDate(5) }],
		});
		const seen = await police.get(`/api/v1/children/${child.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.body.id_number, idNumber, 'the granted ID number, whole');
		assert.equal(seen.body.id_number_masked, false);
		assert.equal(seen.body.guardians[0].phone, '13900139000');
		const listed = await police.get('/api/v1/children');
		assert.ok(listed.body.items.some((c) => c.id === child.id));
		assert.ok(!listed.text.includes(idNumber) && !listed.text.includes('13900139000'), 'lists stay masked');
		const read = (await auditor.get(`/api/v1/audit?action=child.read&object_id=${child.id}&limit=1`)).body.items[0];
		assert.equal(read.username, 'dept_public_security');
		assert.equal(JSON.parse(read.detail).id_number, 'full', 'the audit says the whole number was shown');
		assert.equal(JSON.parse(read.detail).phones, 'full', 'and the guardians\' whole phone numbers');
	});

	test('a mandatory report goes to public security and the centre at once, without township review, and hides the reporter', async () => {
		const child = await newChild();
		const centreBefore = (await centre.get('/api/v1/inbox')).body.unread;
		// a grid worker files it
		const filedBy = await srv.login('grid');
		const rep = await filedBy.post('/api/v1/requests', {
			village_code: VILLAGE,
			child_description: '身上多处伤痕的男孩',
			kind: 'abuse_violence',
			urgency: 'urgent',
			mandatory: true,
			narrative: '发现儿童疑似遭受家庭暴力',
		});
		assert.equal(rep.status, 201, rep.text);
		const id = rep.body.id;
		assert.equal(rep.body.state, 'forwarded', 'township review is skipped');
		assert.equal(rep.body.mandatory, true);
		assert.ok(rep.body.police_feedback.due_at > 0, 'the police feedback has its own deadline');
		// public security has it already, in parallel with the centre
		const pol = await referralOf(police, id);
		assert.equal(pol.unit.code, 'public_security');
		assert.equal(pol.state, 'pending');
		// the police do not hand a mandatory report back (Minor Protection Law art. 11)
		assert.ok(!pol.allowed_actions.includes('decline'), pol.allowed_actions.join());
		const declined = await refAct(police, id, 'decline', { reason: '不属于本部门' });
		assert.equal(declined.status, 409, declined.text);
		assert.equal(declined.body.error.code, 'mandatory_report');
		assert.equal((await referralOf(police, id)).state, 'pending', 'still theirs');
		const taken = await centre.post(`/api/v1/referrals/${pol.id}/actions`, { action: 'cancel', reason: '改派', version: pol.version });
		assert.equal(taken.status, 409, taken.text);
		assert.equal(taken.body.error.code, 'mandatory_report', 'nor does the centre take it from them');
		const asCentre = (await centre.get(`/api/v1/requests/${id}`)).body.referrals.find((x) => x.id === pol.id);
		assert.ok(!asCentre.allowed_actions.includes('cancel'), asCentre.allowed_actions.join());
		// its timeline row is the referral's: pending, not the request's state
		const referred = rep.body.timeline.steps.find((x) => x.action === 'refer');
		assert.equal(referred.referral_id, pol.id);
		assert.equal(referred.to_state, 'pending');
		assert.ok((await inbox(police)).some((m) => m.request_id === id && m.event === 'request.file'));
		assert.ok((await inbox(centre)).some((m) => m.request_id === id && m.event === 'request.file'));
		assert.ok((await centre.get('/api/v1/inbox')).body.unread > centreBefore);
		assert.ok(!(await inbox(station)).some((m) => m.request_id === id), 'the station is not asked to review it');
		const st = await station.get(`/api/v1/requests/${id}`);
		assert.equal(st.status, 200);
		assert.deepEqual(st.body.allowed_actions, ['link_child'], 'no township step on a mandatory report');
		assert.equal((await act(station, id, 'review')).status, 409);
		assert.equal((await act(centre, id, 'send_back', { reason: 'x' })).status, 409, 'it stays with the centre');
		// the reporter: known to the centre, public security and the reporter, hidden from the director and the station
		// a photo the reporter adds: who added it is the reporter's name too
		const photo = await filedBy.request('POST', `/api/v1/requests/${id}/attachments?name=injury.png`, {
			body: PNG,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(photo.status, 201, photo.text);
		const seenBy = async (c) => (await c.get(`/api/v1/requests/${id}`)).body;
		for (const c of [director, station]) {
			const files = (await seenBy(c)).attachments;
			assert.equal(files.length, 1);
			assert.equal(files[0].uploaded_by, null, 'the upload does not name the reporter');
		}
		assert.equal((await seenBy(centre)).attachments[0].uploaded_by, filedBy.me.user.id);
		for (const c of [director, station]) {
			const v = await seenBy(c);
			assert.equal(v.reporter, null);
			assert.equal(v.reporter_hidden, true);
			assert.equal(v.timeline.steps[0].actor, null, 'the filing step hides who filed');
			assert.equal(v.timeline.steps[0].actor_hidden, true);
			assert.equal(v.source, null, 'the source would name the reporter\'s role');
			assert.equal(v.grid_code, null, 'so would the grid');
			assert.ok(!JSON.stringify(v).includes(filedBy.me.user.display_name));
			assert.ok(!v.timeline.steps.some((s) => s.actor && s.actor.user_id === filedBy.me.user.id));
		}
		for (const c of [centre, police, filedBy]) {
			const v = await seenBy(c);
			assert.equal(v.reporter.user_id, filedBy.me.user.id);
			assert.equal(v.reporter.name, filedBy.me.user.display_name);
			assert.equal(v.source, 'grid');
			assert.equal(v.reporter_hidden, false);
		}
		// the reporter finds it in their list though it carries no grid
		assert.ok((await filedBy.listAll('/api/v1/requests')).some((x) => x.id === id));
		assert.ok(!(await director2.listAll('/api/v1/requests')).some((x) => x.id === id));
		// the police's feedback to the reporter is a step of its own
		const pf = await step(police, id, 'police_feedback', { police_feedback: '已出警核查，已对监护人进行训诫。' });
		assert.ok(pf.police_feedback.at > 0);
		assert.equal(pf.police_feedback.text, '已出警核查，已对监护人进行训诫。');
		assert.ok((await inbox(filedBy)).some((m) => m.request_id === id && m.event === 'request.police_feedback'));
		assert.equal((await seenBy(director)).police_feedback.text, null, 'the text stays with the reporter');
		for (const c of [director, station]) {
			const ps = (await seenBy(c)).timeline.steps.find((s) => s.action === 'police_feedback');
			assert.equal(ps.note, null, 'nor does the timeline show it');
		}
		assert.equal((await seenBy(centre)).timeline.steps.find((s) => s.action === 'police_feedback').note, '已出警核查，已对监护人进行训诫。');
		assert.equal((await act(police, id, 'police_feedback', { police_feedback: 'again' })).status, 409);
		const other = await medical.post(`/api/v1/requests/${id}/actions`, { action: 'police_feedback', version: 1, police_feedback: 'x' });
		assert.equal(other.status, 404, 'another department does not even see it');
		const tl = (await seenBy(centre)).timeline.steps;
		const pstep = tl.find((s) => s.action === 'police_feedback');
		assert.equal(pstep.from_state, 'police_feedback');
		assert.ok(pstep.due_at > 0);
		// the centre accepts; the police referral counts as dispatched
		await step(centre, id, 'accept');
		await step(centre, id, 'link_child', { child_id: child.id });
		const refd = await step(centre, id, 'refer', { referrals: [] });
		assert.equal(refd.state, 'referred');
		// nothing new to refer: refused, the clock and the timeline untouched
		const empty = await act(centre, id, 'refer', { referrals: [] });
		assert.equal(empty.status, 422, empty.text);
		assert.equal(empty.body.error.field, 'referrals');
		// a mandatory report is not withdrawn, which would end the police referral
		const off = await act(centre, id, 'withdraw', { reason: '误报' });
		assert.equal(off.status, 409, off.text);
		assert.equal(off.body.error.code, 'mandatory_report');
		const again = await act(centre, id, 'link_child', { child_id: child.id });
		assert.equal(again.status, 409, again.text);
		assert.equal(again.body.error.code, 'already_linked');
		const after = (await centre.get(`/api/v1/requests/${id}`)).body;
		assert.equal(after.version, refd.version, 'nothing written by the refusals');
		assert.ok(!after.allowed_actions.includes('withdraw'), after.allowed_actions.join());
		assert.equal(after.referrals.find((f) => f.unit.code === 'public_security').state, 'pending', 'the police referral stands');
	});

	test('public security may finish a mandatory report before the centre accepts it: the centre moves it on without another referral, and closes it', async () => {
		const rep = await file(director, { village_code: VILLAGE, kind: 'abuse_violence', urgency: 'urgent', mandatory: true, narrative: '儿童疑似遭受侵害' });
		const id = rep.id;
		// the police act at once, in parallel with the centre, and are done before it accepts
		assert.equal((await refAct(police, id, 'accept')).status, 200);
		await step(police, id, 'police_feedback', { police_feedback: '已出警核查。' });
		assert.equal((await refAct(police, id, 'complete', { result: '已出警处置，监护人已被训诫' })).status, 200);
		const accepted = await step(centre, id, 'accept');
		assert.equal(accepted.state, 'accepted', 'the police referral ended before: nothing moved on by itself');
		assert.ok(accepted.allowed_actions.includes('refer'), accepted.allowed_actions.join());
		// the police referral is the dispatch: the centre is not made to invent another
		const moved = await step(centre, id, 'refer', { referrals: [] });
		assert.equal(moved.state, 'referrals_done', JSON.stringify(moved));
		const tl = (await centre.get(`/api/v1/requests/${id}`)).body.timeline.steps;
		assert.deepEqual(
			tl.filter((s) => s.to_state === 'referred' || s.to_state === 'referrals_done').map((s) => s.action),
			['refer', 'referrals_complete'],
		);
		await step(centre, id, 'send_result', { result: '公安机关已依法处置' });
		await step(director, id, 'deliver_feedback', { feedback: '已告知监护人', rating: 'satisfied' });
		assert.equal((await step(centre, id, 'close')).state, 'closed');
		// reopened, it is worked on again: that needs a new referral
		await step(centre, id, 'reopen', { reason: '发现新的情况' });
		const again = await act(centre, id, 'refer', { referrals: [] });
		assert.equal(again.status, 422, again.text);
		assert.equal(again.body.error.field, 'referrals');
	});

	test('public security answers the reporter of a mandatory report before it completes the referral, which would end its access to the request', async () => {
		const rep = await file(director, { village_code: VILLAGE, kind: 'abuse_violence', mandatory: true, narrative: '儿童疑似遭受侵害' });
		const id = rep.id;
		assert.equal((await refAct(police, id, 'accept')).status, 200);
		const pol = await referralOf(police, id);
		assert.ok(pol.allowed_actions.includes('progress'), pol.allowed_actions.join());
		assert.ok(!pol.allowed_actions.includes('complete'), `not offered before the feedback: ${pol.allowed_actions.join()}`);
		const early = await refAct(police, id, 'complete', { result: '已处置' });
		assert.equal(early.status, 409, early.text);
		assert.equal(early.body.error.code, 'police_feedback_first');
		assert.equal((await referralOf(police, id)).state, 'accepted', 'still theirs: they can still answer the reporter');
		await step(police, id, 'police_feedback', { police_feedback: '已出警核查，已对监护人进行训诫。' });
		assert.ok((await referralOf(police, id)).allowed_actions.includes('complete'));
		assert.equal((await refAct(police, id, 'complete', { result: '已处置' })).status, 200);
		// another unit's referral of a mandatory report is completed as any other
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: '医疗救助' }] });
		assert.equal((await refAct(medical, id, 'accept')).status, 200);
		assert.equal((await refAct(medical, id, 'complete', { result: '已救助' })).status, 200);
	});

	test('the ask the server writes for public security on a mandatory report carries its key (ask_key, note_key); a person\'s same words do not', async () => {
		// stored in Chinese as it always was (old databases hold it); the key lets the web say it in English
		const ASK = '强制报告：请依法核查处置，并向报告人反馈。';
		const rep = await file(director, { village_code: VILLAGE, kind: 'abuse_violence', mandatory: true, narrative: '儿童疑似遭受侵害' });
		const id = rep.id;
		const system = rep.timeline.steps.find((s) => s.action === 'refer');
		assert.equal(system.actor.role, 'system');
		assert.equal(system.note, ASK);
		assert.equal(system.note_key, 'mandatory_report');
		assert.equal(rep.timeline.steps.find((s) => s.action === 'file').note_key, null, 'a key on the system\'s words only');
		// the police's referral: in their list, after their step and on the request
		const pol = await referralOf(police, id);
		assert.equal(pol.ask, ASK);
		assert.equal(pol.ask_key, 'mandatory_report');
		const taken = await refAct(police, id, 'accept');
		assert.equal(taken.status, 200, taken.text);
		assert.equal(taken.body.ask_key, 'mandatory_report', 'the referral a step answers with');
		const asCentre = (await centre.get(`/api/v1/requests/${id}`)).body;
		assert.equal(asCentre.referrals.find((f) => f.id === pol.id).ask_key, 'mandatory_report');
		assert.equal(asCentre.timeline.steps.find((s) => s.action === 'refer').note_key, 'mandatory_report');
		const listed = (await centre.get(`/api/v1/referrals?request_id=${id}`)).body.items.find((f) => f.id === pol.id);
		assert.equal(listed.ask_key, 'mandatory_report');
		// the leaders read no texts, nor their keys
		const cv = (await committee.get(`/api/v1/requests/${id}`)).body;
		for (const s of cv.timeline.steps) assert.equal(s.note_key, null, s.action);
		for (const f of cv.referrals || []) assert.equal(f.ask_key, null);
		// the same words typed by the centre are a person's: no key, on a mandatory report or another
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', { referrals: [{ unit_id: units.civil_affairs, ask: ASK }] });
		const mine = (await centre.get(`/api/v1/requests/${id}`)).body;
		const civil = mine.referrals.find((f) => f.unit.code === 'civil_affairs');
		assert.equal(civil.ask, ASK);
		assert.equal(civil.ask_key, null);
		const byCentre = mine.timeline.steps.filter((s) => s.action === 'refer' && s.referral_id === civil.id);
		assert.equal(byCentre.length, 1);
		assert.equal(byCentre[0].actor.role, 'center');
		assert.equal(byCentre[0].note, ASK);
		assert.equal(byCentre[0].note_key, null);
		const plain = await file(centre, { village_code: VILLAGE, kind: 'medical', source: 'hotline' });
		await step(centre, plain.id, 'refer', { referrals: [{ unit_id: units.public_security, ask: ASK }] });
		const sent = (await centre.get(`/api/v1/requests/${plain.id}`)).body;
		assert.equal(sent.referrals[0].ask, ASK);
		assert.equal(sent.referrals[0].ask_key, null, 'public security asked by a person on a report that is not mandatory');
		assert.equal(sent.timeline.steps.find((s) => s.referral_id === sent.referrals[0].id).note_key, null);
		assert.equal((await referralOf(police, plain.id)).ask_key, null);
	});

	test('the inbox: unread count, mark one read, mark all read; only one\'s own messages', async () => {
		const before = (await station.get('/api/v1/inbox')).body;
		const q = await file(director, { village_code: VILLAGE, kind: 'psychological' });
		const now = (await station.get('/api/v1/inbox?unread=true')).body;
		assert.equal(now.unread, before.unread + 1);
		const msg = now.items.find((m) => m.request_id === q.id);
		assert.equal(msg.event, 'request.file');
		assert.equal(msg.read, false);
		assert.equal(msg.stage, 'reported');
		assert.equal(msg.kind, 'psychological', 'the request\'s kind, to tell messages apart');
		assert.ok(!JSON.stringify(msg).includes('需要帮助'), 'no narrative in a message');
		assert.equal((await director.post(`/api/v1/inbox/${msg.id}/read`)).status, 404, 'not the director\'s message');
		const one = await station.post(`/api/v1/inbox/${msg.id}/read`);
		assert.equal(one.status, 200, one.text);
		assert.equal(one.body.unread, before.unread);
		const again = (await station.get('/api/v1/inbox')).body.items.find((m) => m.id === msg.id);
		assert.equal(again.read, true);
		assert.ok(again.read_at > 0);
		const all = await station.post('/api/v1/inbox/read-all');
		assert.equal(all.status, 200);
		assert.equal(all.body.unread, 0);
		assert.equal((await station.get('/api/v1/inbox')).body.unread, 0);
		// the filer does not get a message about their own step
		assert.ok(!(await inbox(director)).some((m) => m.request_id === q.id && m.event === 'request.file'));
	});

	test('one who holds two memberships gets the messages of both, each naming the membership it is for', async () => {
		const admin = await srv.login('admin');
		const made = await admin.post('/api/v1/users', { username: `two_${Date.now()}`, display_name: '两个乡镇的工作站', role: 'station', area_code: TOWNSHIP });
		assert.equal(made.status, 201, made.text);
		const added = await admin.post(`/api/v1/users/${made.body.id}/memberships`, { role: 'station', area_code: '370831101' });
		assert.equal(added.status, 201, added.text);
		const [here, there] = added.body.memberships;
		let two = await srv.login(made.body.username, made.body.password);
		assert.equal((await two.post('/api/v1/me/password', { old_password: made.body.password, new_password: 'Changed-Pass-2026' })).status, 200);
		two = await srv.login(made.body.username, 'Changed-Pass-2026');
		assert.equal(two.me.membership_id, here.id);
		// /me names each membership's place
		assert.deepEqual(
			(await two.get('/api/v1/me')).body.memberships.map((m) => [m.id, m.area_name]),
			[
				[here.id, '泗河街道'],
				[there.id, '泉林镇'],
			],
		);

		const a = await file(director, { village_code: VILLAGE, kind: 'medical' });
		const b = await file(director2, { village_code: OTHER_VILLAGE, kind: 'schooling' });
		const mine = await inbox(two);
		const ma = mine.find((m) => m.request_id === a.id && m.event === 'request.file');
		const mb = mine.find((m) => m.request_id === b.id && m.event === 'request.file');
		assert.ok(ma && mb, JSON.stringify(mine));
		assert.equal(ma.membership_id, here.id);
		assert.equal(mb.membership_id, there.id);
		assert.equal(mine.filter((m) => m.request_id === b.id).length, 1, 'one message a target');
		// the other township's request is read in that membership only
		assert.equal((await two.get(`/api/v1/requests/${b.id}`)).status, 404);
		assert.equal((await two.post('/api/v1/me/membership', { membership_id: there.id })).status, 200);
		assert.equal((await two.get(`/api/v1/requests/${b.id}`)).status, 200);
		// one membership: its messages name it
		const toStation = (await inbox(station)).filter((m) => m.request_id === a.id);
		assert.ok(toStation.length > 0 && toStation.every((m) => m.membership_id === station.me.membership_id));
	});

	test('attachments: JPEG, PNG or PDF up to 10 MiB, checksummed, only for those who may read the request', async () => {
		const q = await file(director, { village_code: VILLAGE, kind: 'medical' });
		const up = await director.request('POST', `/api/v1/requests/${q.id}/attachments?name=diagnosis.png`, {
			body: PNG,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(up.status, 201, up.text);
		const sha = createHash('sha256').update(PNG).digest('hex');
		assert.equal(up.body.sha256, sha);
		assert.equal(up.body.content_type, 'image/png');
		assert.equal(up.body.size, PNG.length);
		assert.equal(up.body.file_name, 'diagnosis.png');
		const pdf = await station.request('POST', `/api/v1/requests/${q.id}/attachments?name=${encodeURIComponent('诊断证明/"2026".pdf')}`, { body: PDF });
		assert.equal(pdf.status, 201, pdf.text);
		assert.equal(pdf.body.content_type, 'application/pdf');
		assert.equal(pdf.body.file_name, '诊断证明2026.pdf', 'no quotes or path separators');
		const pdfGet = await fetch(`${srv.base}/api/v1/requests/${q.id}/attachments/${pdf.body.id}`, { headers: { cookie: station.cookie } });
		assert.equal(
			pdfGet.headers.get('content-disposition'),
			`attachment; filename="attachment.pdf"; filename*=UTF-8''${encodeURIComponent('诊断证明2026.pdf')}`,
		);
		assert.deepEqual(Buffer.from(await pdfGet.arrayBuffer()), PDF);
		// the type is decided by the bytes, not by a name or header
		const text = await director.request('POST', `/api/v1/requests/${q.id}/attachments?name=x.png`, {
			body: Buffer.from('<html>not an image</html>'),
			headers: { 'content-type': 'image/png' },
		});
		assert.equal(text.status, 415, text.text);
		const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0);
		PNG.copy(big);
		const tooBig = await postExpecting(director, `/api/v1/requests/${q.id}/attachments`, big);
		assert.equal(tooBig.status, 413, tooBig.text);
		const detail = (await director.get(`/api/v1/requests/${q.id}`)).body;
		assert.deepEqual(
			detail.attachments.map((a) => a.sha256),
			[sha, pdf.body.sha256],
		);
		// served back byte for byte, to those who may read the request
		const res = await fetch(`${srv.base}/api/v1/requests/${q.id}/attachments/${up.body.id}`, {
			headers: { cookie: station.cookie },
		});
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), 'image/png');
		assert.equal(res.headers.get('x-content-sha256'), sha);
		assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
		for (const c of [director2, medical, committee]) {
			const denied = await c.get(`/api/v1/requests/${q.id}/attachments/${up.body.id}`);
			assert.equal(denied.status, 404, `${c.me.user.username}: ${denied.text}`);
			const put = await c.request('POST', `/api/v1/requests/${q.id}/attachments`, { body: PNG });
			assert.equal(put.status, 404);
		}
		// the reads are audited
		const log = await auditor.listAll(`/api/v1/audit?action=request.attachment.read&object_id=${q.id}`);
		assert.ok(log.some((e) => e.outcome === 'ok'));
		assert.ok(log.some((e) => e.outcome === 'not_found'));
		// a file altered on disk is not served
		const dir = driver === 'sqlite' ? `${srv.db.file}.files` : join(srv.db.dir, 'weibao-files');
		const path = join(dir, sha);
		const bytes = readFileSync(path);
		bytes[bytes.length - 1] ^= 0xff;
		writeFileSync(path, bytes);
		const corrupt = await director.get(`/api/v1/requests/${q.id}/attachments/${up.body.id}`);
		assert.equal(corrupt.status, 500);
		assert.equal(corrupt.body.error.code, 'attachment_corrupt');
	});

	test('"green light all the way": the priority flag shortens the deadlines and notifies the leaders', async () => {
		const q = await file(director, { village_code: VILLAGE, kind: 'medical' });
		await step(station, q.id, 'review');
		await step(station, q.id, 'forward');
		const accepted = await step(centre, q.id, 'accept');
		const normalDue = accepted.due_at;
		assert.equal((await act(station, q.id, 'set_priority', { priority: true })).status, 403);
		const p = await step(centre, q.id, 'set_priority', { priority: true });
		assert.equal(p.priority, true);
		assert.equal(p.state, 'accepted');
		assert.ok(p.due_at < normalDue, `priority deadline ${p.due_at} before ${normalDue}`);
		assert.equal(p.due_at, p.state_since + 8 * 3600, 'the urgent deadline of the centre step: 8 hours');
		assert.ok((await inbox(committee)).some((m) => m.request_id === q.id && m.event === 'request.set_priority'));
		// the committee sees the request without the child's file, and may flag too
		const cv = (await committee.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal(cv.narrative, null);
		assert.equal(cv.child, null);
		assert.deepEqual(cv.allowed_actions, ['set_priority']);
		const r = await step(centre, q.id, 'refer', { referrals: [{ unit_id: units.health, ask: '优先诊疗' }] });
		const f = r.allowed_actions && (await centre.get(`/api/v1/referrals?request_id=${q.id}`)).body.items[0];
		assert.equal(f.step_due_at, f.state_since + 4 * 3600, 'the referral gets the urgent accept deadline');
	});

	test('a new priority is told to whoever holds the step, and a referred unit is told its deadline', async () => {
		const q = await file(director, { village_code: VILLAGE, kind: 'medical' });
		// reported: the station holds it, and its deadline just got shorter
		const p = await step(centre, q.id, 'set_priority', { priority: true });
		const toStation = (await inbox(station)).find((m) => m.request_id === q.id && m.event === 'request.set_priority');
		assert.ok(toStation, 'the station is told');
		assert.equal(toStation.due_at, p.due_at, 'with the new deadline');
		await step(station, q.id, 'review');
		await step(station, q.id, 'forward');
		await step(centre, q.id, 'accept');
		await step(centre, q.id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: '大病保险报销' }] });
		const f = (await centre.get(`/api/v1/referrals?request_id=${q.id}`)).body.items[0];
		const told = (await inbox(medical)).find((m) => m.request_id === q.id && m.event === 'request.refer');
		assert.equal(told.referral_id, f.id, 'its own referral');
		assert.ok(told.due_at > 0, 'with the deadline to accept it by');
		assert.equal(told.due_at, f.step_due_at);
		await step(centre, q.id, 'set_priority', { priority: false });
		assert.ok((await inbox(medical)).some((m) => m.request_id === q.id && m.event === 'request.set_priority'), 'the unit holding it is told');
	});

	test('a request waiting on a late referral is overdue as a whole: its earliest referral deadline, the overdue filter, the overview and the metrics', async () => {
		const q = await file(director, { village_code: VILLAGE, kind: 'medical' });
		await step(station, q.id, 'review');
		await step(station, q.id, 'forward');
		await step(centre, q.id, 'accept');
		await step(centre, q.id, 'refer', {
			referrals: [
				{ unit_id: units.medical_insurance, ask: '大病保险报销' },
				{ unit_id: units.county_charity, ask: '慈善救助' },
			],
		});
		const refs = (await centre.get(`/api/v1/referrals?request_id=${q.id}`)).body.items;
		assert.equal(refs.length, 2);
		// each unit's message of the referral names the unit referred to, so two
		// referrals of one request at the same stage read apart
		for (const [unit, session] of [
			[units.medical_insurance, medical],
			[units.county_charity, charity],
		]) {
			const f = refs.find((x) => x.unit.id === unit);
			const m = (await inbox(session)).find((x) => x.request_id === q.id && x.event === 'request.refer');
			assert.equal(m.referral_id, f.id);
			assert.equal(m.unit_name, f.unit.name);
			assert.ok(m.unit_name.length > 0);
		}
		const filed = (await inbox(centre)).find((x) => x.request_id === q.id && !x.referral_id);
		if (filed) assert.equal(filed.unit_name, null, 'a message of no referral names no unit');
		let v = (await centre.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal(v.due_at, null, 'the referred step has no deadline of its own');
		assert.equal(v.referrals_due_at, Math.min(...refs.map((f) => f.step_due_at)));
		assert.equal(v.referrals_overdue, false);
		// a department sees its own referral's deadline, not the earliest of all
		const own = (await medical.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal('referrals_due_at' in own, false);
		// a referral to be done by today is to be accepted by today: its deadline and the request's earliest
		const q2 = await file(director, { village_code: VILLAGE, kind: 'medical' });
		await step(station, q2.id, 'review');
		await step(station, q2.id, 'forward');
		await step(centre, q2.id, 'accept');
		// a mistyped year would make a referral that is never late
		const far = await act(centre, q2.id, 'refer', { referrals: [{ unit_id: units.county_charity, ask: '明年', due_date: cstDate(367) }] });
		assert.equal(far.status, 422, far.text);
		assert.equal(far.body.error.field, 'referrals[0].due_date');
		await step(centre, q2.id, 'refer', { referrals: [{ unit_id: units.county_charity, ask: '今天内办结', due_date: cstDate(0) }] });
		const today = (await centre.get(`/api/v1/referrals?request_id=${q2.id}`)).body.items[0];
		const endOfToday = Date.parse(`${cstDate(0)}T23:59:59+08:00`) / 1000;
		assert.equal(today.due_at, endOfToday);
		assert.equal(today.step_due_at, endOfToday, 'no later than the day it is to be done by');
		assert.equal((await centre.get(`/api/v1/requests/${q2.id}`)).body.referrals_due_at, endOfToday);
		const overdueIds = async () =>
			(await centre.get(`/api/v1/requests?state=open&overdue=true&township=${TOWNSHIP}&limit=200`)).body.items.map((x) => x.id);
		const counts = async () => {
			const o = (await centre.get('/api/v1/overview')).body.townships.find((t) => t.code === TOWNSHIP).requests.overdue;
			const m = (await centre.get(`/api/v1/loop/metrics?township=${TOWNSHIP}`)).body.townships[0].overdue;
			return [o, m];
		};
		assert.equal((await overdueIds()).includes(q.id), false);
		const [o0, m0] = await counts();

		// the insurance bureau's referral is past its deadline
		const late = refs.find((f) => f.unit.id === units.medical_insurance);
		await sql(srv.db, `UPDATE referrals SET step_due_at = 1000 WHERE id = ${late.id}`);
		v = (await centre.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal(v.referrals_due_at, 1000);
		assert.equal(v.referrals_overdue, true);
		assert.equal(v.overdue, false, 'the request\'s own step is not');
		assert.ok((await overdueIds()).includes(q.id), 'the overdue filter finds it');
		assert.deepEqual(await counts(), [o0 + 1, m0 + 1], 'the overview and the metrics count it once');

		// declined, that referral no longer waits: the request is not late
		const dec = await refAct(medical, q.id, 'decline', { reason: '不属于本局职责' });
		assert.equal(dec.status, 200, dec.text);
		v = (await centre.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal(v.referrals_overdue, false);
		assert.equal(v.referrals_due_at, refs.find((f) => f.unit.id === units.county_charity).step_due_at);
		assert.equal((await overdueIds()).includes(q.id), false);
		assert.deepEqual(await counts(), [o0, m0]);
	});

	test('metrics by township and department; configuration of deadlines and the holiday calendar', async () => {
		const m = await centre.get('/api/v1/loop/metrics');
		assert.equal(m.status, 200, m.text);
		const town = m.body.townships.find((t) => t.code === TOWNSHIP);
		assert.ok(town, 'the township of the story');
		assert.equal(town.name, '泗河街道');
		assert.ok(town.closed_with_feedback >= 1, 'the locally resolved request was closed with feedback');
		assert.ok(town.open_total >= 1);
		const review = town.steps.find((s) => s.stage === 'township_review');
		assert.ok(review.count >= 2);
		assert.ok(review.p90_s >= review.median_s && review.median_s >= 0);
		const mi = m.body.departments.find((d) => d.code === 'medical_insurance');
		assert.ok(mi.done >= 1);
		assert.ok(mi.steps.some((s) => s.stage === 'referral_pending'));
		assert.ok(mi.steps.some((s) => s.stage === 'referral_accepted'));
		assert.ok(m.body.totals.open >= town.open_total);
		const s = await station.get('/api/v1/loop/metrics');
		assert.equal(s.status, 200);
		assert.deepEqual(
			s.body.townships.map((t) => t.code),
			[TOWNSHIP],
		);
		assert.equal((await committee.get('/api/v1/loop/metrics')).status, 200);
		assert.equal((await director.get('/api/v1/loop/metrics')).status, 403);
		// a township's steps in the loop's order
		const order = ['reported', 'township_review', 'resolved_locally', 'forwarded', 'accepted', 'referred', 'referrals_done', 'result_sent', 'feedback_delivered', 'closed'];
		const ranks = town.steps.map((x) => order.indexOf(x.stage));
		assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), JSON.stringify(town.steps.map((x) => x.stage)));
		assert.deepEqual(Object.keys(mi.open).sort(), ['accepted', 'pending'], 'both counts, zero or not');
		// the centre narrows to a township; a station cannot ask for another
		const one = await centre.get(`/api/v1/loop/metrics?township=${TOWNSHIP}`);
		assert.deepEqual(one.body.townships.map((t) => t.code), [TOWNSHIP]);
		assert.equal((await centre.get('/api/v1/loop/metrics?township=370831')).body.error.field, 'township');
		assert.equal((await station.get('/api/v1/loop/metrics?township=370831101')).body.error.field, 'township');

		// the same figures as files: by township with a totals row, by unit, by step
		const towns = await centre.get('/api/v1/loop/metrics?format=csv');
		assert.equal(towns.status, 200, towns.text);
		assert.match(towns.headers.get('content-disposition'), /filename="timeliness-\d{8}\.csv"/);
		const trows = csvObjects(towns.text.replace(/^\uFEFF/, ''));
		assert.equal(trows.length, m.body.townships.length + 1);
		assert.equal(Number(towns.headers.get('x-export-rows')), m.body.townships.length, 'the totals row is not counted');
		const trow = trows.find((x) => x['乡镇（街道）代码'] === TOWNSHIP);
		assert.equal(Number(trow['办理中']), town.open_total);
		assert.equal(Number(trow['已反馈结案']), town.closed_with_feedback);
		assert.equal(trows.at(-1)['乡镇（街道）'], '合计');
		assert.equal(Number(trows.at(-1)['办理中']), m.body.totals.open);
		const book = await download(centre, '/api/v1/loop/metrics?format=xlsx&table=departments');
		assert.equal(book.status, 200);
		assert.equal(book.bytes.subarray(0, 2).toString('latin1'), 'PK');
		const [head, ...urows] = sheetRows(book.bytes);
		assert.deepEqual(head.slice(0, 4), ['单位代码', '单位', '类型', '待接收']);
		const urow = urows.find((x) => x[0] === 'medical_insurance');
		assert.equal(Number(urow[head.indexOf('已办结')]), mi.done);
		assert.equal(urows.length, m.body.departments.length);
		const steps = await centre.get('/api/v1/loop/metrics?format=csv&table=steps&lang=en');
		const srows = csvObjects(steps.text.replace(/^\uFEFF/, ''));
		const handled = srows.find((x) => x.Code === 'medical_insurance' && x.Step === 'In progress');
		const json = mi.steps.find((x) => x.stage === 'referral_accepted');
		assert.equal(Number(handled.Count), json.count);
		assert.equal(handled['Median (hours)'], (json.median_s / 3600).toFixed(1));
		assert.equal(srows.filter((x) => x.Kind === 'Township' && x.Code === TOWNSHIP).length, town.steps.length);
		assert.equal((await centre.get('/api/v1/loop/metrics?format=csv&table=people')).body.error.field, 'table');
		assert.equal((await director.get('/api/v1/loop/metrics?format=csv')).status, 403);

		const cfg = await centre.get('/api/v1/loop/config');
		assert.equal(cfg.body.deadlines.township_review.normal, '3d');
		assert.equal(cfg.body.deadlines.township_review.urgent, '12h');
		const put = await centre.request('PUT', '/api/v1/loop/config', {
			json: { deadlines: { township_review: { normal: '2d' } }, holidays: ['2027-10-02', '2027-10-01'], workdays: ['2027-09-26'], alert_repeat_hours: 12 },
		});
		assert.equal(put.status, 200, put.text);
		assert.equal(put.body.deadlines.township_review.normal, '2d');
		assert.equal(put.body.deadlines.township_review.urgent, '12h', 'keys not sent are kept');
		assert.deepEqual(put.body.holidays, ['2027-10-01', '2027-10-02']);
		assert.equal(put.body.alert_repeat_hours, 12);
		assert.equal((await centre.get('/api/v1/loop/config')).body.deadlines.township_review.normal, '2d');
		const bad = await centre.request('PUT', '/api/v1/loop/config', { json: { deadlines: { township_review: { normal: '2 days' } } } });
		assert.equal(bad.status, 422);
		assert.equal((await centre.request('PUT', '/api/v1/loop/config', { json: { holidays: ['2027-02-30'] } })).status, 422);
		// a mistyped year is refused, named by its place
		const old = await centre.request('PUT', '/api/v1/loop/config', { json: { holidays: ['2027-10-01', '1900-10-01'] } });
		assert.equal(old.status, 422, old.text);
		assert.equal(old.body.error.field, 'holidays');
		assert.match(old.body.error.message, /holidays\[1\] must be a real date as YYYY-MM-DD from 2000 to 2099/);
		// a step given no object is said as such, not as an unknown step
		const none = await centre.request('PUT', '/api/v1/loop/config', { json: { deadlines: { township_review: null } } });
		assert.equal(none.status, 422, none.text);
		assert.match(none.body.error.message, /deadlines\.township_review must be an object of normal and\/or urgent/);
		// a make-up working day is a weekend day that is worked: a Monday is refused, by its place
		const monday = await centre.request('PUT', '/api/v1/loop/config', { json: { workdays: ['2027-09-26', '2027-01-04'] } });
		assert.equal(monday.status, 422, monday.text);
		assert.equal(monday.body.error.field, 'workdays');
		assert.match(monday.body.error.message, /workdays\[1\] must be a Saturday or a Sunday/);
		assert.deepEqual((await centre.get('/api/v1/loop/config')).body.workdays, ['2027-09-26'], 'nothing changed');
		// the configuration holds together: urgent no longer than normal, no day both off and worked
		const slow = await centre.request('PUT', '/api/v1/loop/config', { json: { deadlines: { accepted: { urgent: '3d', normal: '3h' } } } });
		assert.equal(slow.status, 422, slow.text);
		assert.equal(slow.body.error.field, 'deadlines');
		const both = await centre.request('PUT', '/api/v1/loop/config', { json: { holidays: ['2027-09-26'] } });
		assert.equal(both.status, 422, both.text);
		assert.equal(both.body.error.field, 'workdays');
		assert.equal((await centre.get('/api/v1/loop/config')).body.deadlines.accepted.normal, '2d', 'nothing changed');
		// the auditor reads what was set, not only which keys
		const log = await auditor.get('/api/v1/audit?action=loop.config.update&limit=5');
		const set = log.body.items.map((x) => JSON.parse(x.detail)).find((d) => d.alert_repeat_hours === 12);
		assert.deepEqual(set, { alert_repeat_hours: 12, deadlines: { township_review: { normal: '2d' } }, holidays: 2, workdays: 1 });
		assert.equal((await director.request('PUT', '/api/v1/loop/config', { json: {} })).status, 403);
	});
});
