// Reading the XLSX files the server writes, enough for tests: the entries of
// a zip archive and the cells of the first worksheet.
import { inflateRawSync } from 'node:zlib';

/** The text of one entry of a zip archive (local headers, no zip64). */
export function zipEntry(bytes, name) {
	for (let at = 0; at + 30 <= bytes.length; ) {
		if (bytes.readUInt32LE(at) !== 0x04034b50) break;
		const method = bytes.readUInt16LE(at + 8);
		let size = bytes.readUInt32LE(at + 18);
		const nameLen = bytes.readUInt16LE(at + 26);
		const extraLen = bytes.readUInt16LE(at + 28);
		const entry = bytes.subarray(at + 30, at + 30 + nameLen).toString('utf8');
		const start = at + 30 + nameLen + extraLen;
		const flags = bytes.readUInt16LE(at + 6);
		if (flags & 8) {
			// sizes follow the data: find the next data descriptor signature
			let end = start;
			while (end + 4 <= bytes.length && bytes.readUInt32LE(end) !== 0x08074b50) end++;
			size = end - start;
		}
		const data = bytes.subarray(start, start + size);
		if (entry === name) return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
		at = start + size + (flags & 8 ? 16 : 0);
	}
	return null;
}

const unescape = (s) =>
	s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e) => {
		const named = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e.toLowerCase()];
		if (named) return named;
		return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
	});

function colIndex(letters) {
	let n = 0;
	for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
	return n - 1;
}

/**
 * The rows of the first worksheet of an XLSX file: an array of arrays,
 * strings for text cells and numbers for number cells ('' where a row has
 * no cell). Also says whether any cell is a formula.
 */
export function sheetRows(bytes) {
	const xml = zipEntry(bytes, 'xl/worksheets/sheet1.xml');
	if (xml === null) throw new Error('the workbook has no first sheet');
	let shared = [];
	const sst = zipEntry(bytes, 'xl/sharedStrings.xml');
	if (sst) shared = [...sst.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => unescape([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')));
	const rows = [];
	for (const rm of xml.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
		const row = [];
		for (const cm of (rm[1] || '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
			const attrs = cm[1];
			const body = cm[2] || '';
			const ref = /\br="([A-Z]+)\d+"/.exec(attrs);
			const type = /\bt="(\w+)"/.exec(attrs)?.[1];
			if (/<f[\s>]/.test(body)) rows.formula = true;
			let v;
			if (type === 'inlineStr') v = unescape([...body.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join(''));
			else if (type === 's') v = shared[Number(/<v>(\d+)<\/v>/.exec(body)[1])];
			else if (type === 'str') v = unescape(/<v>([\s\S]*?)<\/v>/.exec(body)?.[1] ?? '');
			else {
				const num = /<v>([^<]*)<\/v>/.exec(body);
				v = num ? Number(num[1]) : '';
			}
			const at = ref ? colIndex(ref[1]) : row.length;
			while (row.length < at) row.push('');
			row[at] = v;
		}
		rows.push(row);
	}
	return rows;
}
