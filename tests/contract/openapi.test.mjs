// Keeps docs/openapi.yaml honest: every route in the router (src/api/routes.c)
// has an entry in the OpenAPI file, and every entry there has a route; and
// the web's list of routes that refuse an Idempotency-Key is the router's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const root = process.env.WEIBAO_ROOT || join(import.meta.dirname, '..', '..');

function routerRoutes() {
	const src = readFileSync(join(root, 'src/api/routes.c'), 'utf8');
	const out = new Set();
	for (const m of src.matchAll(/\{"(GET|POST|PATCH|PUT|DELETE)", "([^"]+)"/g)) out.add(`${m[1]} ${m[2]}`);
	return out;
}

function openapiRoutes() {
	const text = readFileSync(join(root, 'docs/openapi.yaml'), 'utf8');
	const out = new Set();
	let inPaths = false;
	let path = null;
	for (const line of text.split('\n')) {
		if (/^paths:\s*$/.test(line)) { inPaths = true; continue; }
		if (inPaths && /^\S/.test(line)) inPaths = false;
		if (!inPaths) continue;
		const p = line.match(/^  (\/\S*):\s*$/);
		if (p) { path = p[1]; continue; }
		const m = line.match(/^    (get|post|patch|put|delete):/);
		if (m && path) out.add(`${m[1].toUpperCase()} ${path}`);
	}
	return out;
}

test('every router route is documented in docs/openapi.yaml', () => {
	const doc = openapiRoutes();
	const missing = [...routerRoutes()].filter((r) => !doc.has(r));
	assert.deepEqual(missing, [], `undocumented routes: ${missing.join(', ')}`);
});

test('every documented operation exists in the router', () => {
	const routes = routerRoutes();
	const extra = [...openapiRoutes()].filter((r) => !routes.has(r));
	assert.deepEqual(extra, [], `documented but not routed: ${extra.join(', ')}`);
});

test('the router has routes at all (the parser still reads routes.c)', () => {
	assert.ok(routerRoutes().size >= 10);
	assert.ok(openapiRoutes().size >= 10);
});

test('docs/openapi.yaml is valid YAML and an OpenAPI 3 document whose paths are the ones read above', () => {
	// the web's pinned YAML parser (web/package.json): what tools reading the file would see
	const YAML = createRequire(join(root, 'web', 'package.json'))('yaml');
	const text = readFileSync(join(root, 'docs/openapi.yaml'), 'utf8');
	const doc = YAML.parse(text, { uniqueKeys: true });
	assert.match(String(doc.openapi), /^3\./);
	assert.ok(doc.info?.title && doc.info?.version, 'info names the API and its version');
	const parsed = new Set();
	for (const [path, item] of Object.entries(doc.paths))
		for (const method of Object.keys(item)) if (['get', 'post', 'patch', 'put', 'delete'].includes(method)) parsed.add(`${method.toUpperCase()} ${path}`);
	assert.deepEqual([...parsed].sort(), [...openapiRoutes()].sort(), 'the line reader above and the parser agree');
	for (const [path, item] of Object.entries(doc.paths))
		for (const [method, op] of Object.entries(item)) {
			if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
			assert.ok(op.summary, `${method.toUpperCase()} ${path} has a summary`);
			assert.ok(op.responses && Object.keys(op.responses).length, `${method.toUpperCase()} ${path} has responses`);
		}
});

test('the web sends an Idempotency-Key with every POST but to the routes that refuse one (API_NO_REPLAY)', async () => {
	// the web's own list (web/src/lib/api.js), against the router's flags
	const { NO_KEY } = await import(join(root, 'web/src/lib/api.js'));
	const src = readFileSync(join(root, 'src/api/routes.c'), 'utf8');
	const refusing = new Set([...src.matchAll(/^RO?\((\w+),[^)]*API_NO_REPLAY/gm)].map((m) => m[1]));
	assert.ok(refusing.size >= 1, 'the parser still reads the flags');
	const posts = [...src.matchAll(/\{"POST", "\/api\/v1([^"]+)", \w+, &rt_(\w+)/g)].map((m) => ({
		path: m[1].replace(/\{[^}]+\}/g, '12'),
		refuses: refusing.has(m[2]),
	}));
	assert.ok(posts.length >= 10);
	const wrong = posts.filter((p) => NO_KEY.some((re) => re.test(p.path)) !== p.refuses);
	assert.deepEqual(wrong, [], 'the web keys what the server refuses, or leaves unkeyed what it would replay');
});
