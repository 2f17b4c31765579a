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

// ---- writing, enough for tests: a workbook as a spreadsheet program saves one ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of stored (uncompressed) entries: {name: text}. */
export function zipStored(entries) {
	const locals = [];
	const centrals = [];
	let offset = 0;
	for (const [name, text] of Object.entries(entries)) {
		const nameBuf = Buffer.from(name, 'utf8');
		const data = Buffer.from(text, 'utf8');
		const crc = crc32(data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt16LE(0x0800, 6); // UTF-8 names
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(data.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(nameBuf.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(0x0800, 8);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(data.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(nameBuf.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, nameBuf, data);
		centrals.push(central, nameBuf);
		offset += 30 + nameBuf.length + data.length;
	}
	const dir = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(centrals.length / 2, 8);
	end.writeUInt16LE(centrals.length / 2, 10);
	end.writeUInt32LE(dir.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, dir, end]);
}

const esc = (s) => String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/** The Excel serial number (1900 system) of a day 'YYYY-MM-DD'. */
export function excelSerial(iso) {
	const [y, m, d] = iso.split('-').map(Number);
	return Date.UTC(y, m - 1, d) / 86400000 + 25569;
}

/**
 * An XLSX workbook of one sheet. rows: arrays of cells, each a string
 * (an inline string) or {n: number, style: k} (a number shown with the
 * workbook's cell format k), or {style: k} (a formatted empty cell, as a
 * cleared row keeps it). formats: the cell formats after the default
 * one (style 1, 2, ...), each a built-in numFmtId or a format code of the
 * workbook's own. date1904: the workbook counts days from 1904.
 */
export function makeXlsx(rows, { formats = [], date1904 = false } = {}) {
	const own = formats.filter((f) => typeof f === 'string');
	const numFmts = own.length
		? `<numFmts count="${own.length}">${own.map((code, i) => `<numFmt numFmtId="${176 + i}" formatCode="${esc(code)}"/>`).join('')}</numFmts>`
		: '';
	const xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'].concat(
		formats.map((f) => `<xf numFmtId="${typeof f === 'string' ? 176 + own.indexOf(f) : f}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`),
	);
	const col = (i) => (i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(64 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));
	const sheetRows = rows
		.map((cells, r) => {
			const cs = cells
				.map((c, i) => {
					const ref = `${col(i)}${r + 1}`;
					if (typeof c === 'object' && c !== null && c.n === undefined) return `<c r="${ref}" s="${c.style}"/>`;
					if (typeof c === 'object' && c !== null) return `<c r="${ref}" s="${c.style}"><v>${c.n}</v></c>`;
					return `<c r="${ref}" t="inlineStr"><is><t>${esc(c)}</t></is></c>`;
				})
				.join('');
			return `<row r="${r + 1}">${cs}</row>`;
		})
		.join('');
	const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
	return zipStored({
		'[Content_Types].xml':
			'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
		'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook ${ns}><workbookPr${date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`,
		'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8"?><styleSheet ${ns}>${numFmts}<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs></styleSheet>`,
		'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet ${ns}><sheetData>${sheetRows}</sheetData></worksheet>`,
	});
}
