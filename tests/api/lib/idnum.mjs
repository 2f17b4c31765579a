// Resident ID numbers (GB 11643), implemented here independently of the
// server so that the tests check the server against the standard:
// 17 digits + check character; weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2;
// S mod 11 = 0..10 maps to 1 0 X 9 8 7 6 5 4 3 2; 17th digit odd = male.
import { randomInt } from 'node:crypto';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export const AREA = '370831';

/** The check character of the first 17 digits. */
export function checkChar(first17) {
	if (!/^\d{17}$/.test(first17)) throw new Error(`not 17 digits: ${first17}`);
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
	return CHECK[sum % 11];
}

/** A whole number from area (6), birth date (YYYYMMDD) and sequence (3 digits). */
export function make(birth, seq, area = AREA) {
	const first17 = `${area}${birth}${String(seq).padStart(3, '0')}`;
	return first17 + checkChar(first17);
}

/** Converts a 15-digit legacy number: insert "19" before the year, add the check. */
export function legacyTo18(n15) {
	if (!/^\d{15}$/.test(n15)) throw new Error(`not 15 digits: ${n15}`);
	const first17 = `${n15.slice(0, 6)}19${n15.slice(6)}`;
	return first17 + checkChar(first17);
}

/** 'M' or 'F' from an 18-character number (17th digit odd = male). */
export function sexOf(n18) {
	return Number(n18[16]) % 2 === 1 ? 'M' : 'F';
}

/** 'YYYY-MM-DD' from an 18-character number. */
export function birthOf(n18) {
	return `${n18.slice(6, 10)}-${n18.slice(10, 12)}-${n18.slice(12, 14)}`;
}

/** The masked form: first 6, eight '*', last 4. */
export function masked(n18) {
	return `${n18.slice(0, 6)}********${n18.slice(14)}`;
}

/** Today's date in China (UTC+8), as {y, m, d, compact 'YYYYMMDD', iso 'YYYY-MM-DD'}. */
export function chinaDate(offsetDays = 0) {
	const t = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
	const y = t.getUTCFullYear();
	const m = t.getUTCMonth() + 1;
	const d = t.getUTCDate();
	const p = (n, w = 2) => String(n).padStart(w, '0');
	return { y, m, d, compact: `${p(y, 4)}${p(m)}${p(d)}`, iso: `${p(y, 4)}-${p(m)}-${p(d)}` };
}

/**
 * Hands out valid numbers that are not yet registered: it starts from the
 * numbers already in the database (the demo registry) and never repeats one.
 */
export class IdFactory {
	constructor(taken = []) {
		this.used = new Set(taken);
	}

	/** Reads every whole ID number visible to client (a centre account). */
	static async fromServer(centre) {
		const items = await centre.listAll('/api/v1/children');
		const nums = items.map((c) => c.id_number).filter((n) => typeof n === 'string');
		if (nums.some((n) => n.includes('*'))) throw new Error('IdFactory needs an account that sees whole numbers');
		return new IdFactory(nums);
	}

	/**
	 * A fresh valid number. opts: birth 'YYYYMMDD' (default: a random date
	 * in 2010..2023), sex 'M'|'F', check (a wanted check character).
	 */
	next({ birth, sex, check } = {}) {
		for (let attempt = 0; attempt < 100000; attempt++) {
			const b = birth ?? `${2010 + randomInt(14)}${String(1 + randomInt(12)).padStart(2, '0')}${String(1 + randomInt(28)).padStart(2, '0')}`;
			const n = make(b, randomInt(1000));
			if (sex && sexOf(n) !== sex) continue;
			if (check && n[17] !== check) continue;
			if (this.used.has(n)) continue;
			this.used.add(n);
			return n;
		}
		throw new Error('no free ID number found');
	}

	/** Marks a number as taken (e.g. one made by hand). */
	take(n) {
		this.used.add(n);
	}
}
