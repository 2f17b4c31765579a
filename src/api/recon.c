/*
 * Reconciliation: another department's list (a civil-affairs allowance
 * roll, an education roster, a household extract) against the registry —
 * the first step of "let the data run, not the children".
 *
 * Each row of the list is matched with a child of the caller's scope by ID
 * number (blind index), or by name + birth date when the list has no ID
 * number. The answer has four groups:
 *   matched       — on the list and in the registry, facts agree;
 *   mismatched    — matched, but name, birth date or village differ;
 *   not_in_registry — on the list, no such child in the caller's scope;
 *   not_in_list   — children of the registry with the given category (for
 *                   an allowance roll: entitled, but not receiving).
 * Nothing is written; the comparison is audited with its counts.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/idnum.h"
#include "../domain/category.h"
#include "../util/clock.h"
#include "../util/table.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "import.h"

#define RECON_ITEMS_MAX 1000 /* per group in the JSON answer; CSV has all */

typedef struct recon_item {
	uint32_t row;
	int64_t child_id;
	char name[128];
	char id_mask[20];
	char village_code[16];
	char detail[256];
} recon_item;

typedef struct group {
	recon_item *items;
	size_t n, cap;
} group;

enum { G_MATCHED, G_MISMATCHED, G_NOT_IN_REGISTRY, G_NOT_IN_LIST, G__COUNT };
static const char *const group_names[G__COUNT] = {"matched", "mismatched", "not_in_registry", "not_in_list"};
static const char *const group_en[G__COUNT] = {"Matched", "Facts differ", "Not in the registry", "Not on the list"};
static const char *const group_zh[G__COUNT] = {"一致", "信息不一致", "台账中没有", "名单中没有"};
static const char *const result_cols_zh[] = {"结果",     "名单行号",       "儿童编号", "姓名",
					     "身份证号", "村（社区）代码", "说明"};
static const char *const result_cols_en[] = {"Result",    "List row",     "Child ID", "Name",
					     "ID number", "Village code", "Detail"};

/* A row's detail (written in English, as the API answers it) in Chinese
 * for a file in Chinese: the few sentences compare_rows and the category
 * pass write. What it does not know stays as it is. */
#define NOT_IN_CATEGORY "not confirmed in this category in the registry; "

/* The detail for the English file: its parts without the separator the
 * last one carries (the sex stays M/F, as the English files write it). */
static void detail_en(const char *d, char *out, size_t n)
{
	size_t len = strlen(d);

	if (len >= 2 && strcmp(d + len - 2, "; ") == 0)
		len -= 2;
	wb_snprintf(out, n, "%.*s", (int)len, d);
}

static void detail_zh(const char *d, char *out, size_t n)
{
	static const struct {
		const char *en, *zh;
	} fields[] = {{"name", "姓名"}, {"birth date", "出生日期"}, {"sex", "性别"}, {"village", "村（社区）代码"}};
	const char *p = d;
	size_t off = 0;
	unsigned first;
	char cat[32];

	out[0] = '\0';
	if (strcmp(d, "the ID number on the list is not valid") == 0) {
		wb_strlcpy(out, "名单上的身份证号码无效", n);
		return;
	}
	if (strcmp(d, "no such child in the registry (in your area)") == 0) {
		wb_strlcpy(out, "台账中（您的辖区内）没有该儿童", n);
		return;
	}
	if (strcmp(d, "the ID number on the list is masked: give whole numbers") == 0) {
		wb_strlcpy(out, "名单上的身份证号码有遮挡，且按姓名和出生日期也找不到：请提供完整号码", n);
		return;
	}
	if (strcmp(d, "more than one child of this name and birth date: give the ID number") == 0) {
		wb_strlcpy(out, "台账中有多名同姓名、同出生日期的儿童：请提供身份证号码", n);
		return;
	}
	if (sscanf(d, "on the list again (first on row %u)", &first) == 1) {
		wb_snprintf(out, n, "名单中重复（第 %u 行已有该儿童）", first);
		return;
	}
	if (sscanf(d, "in the registry as %31[a-z_], not on the list", cat) == 1) {
		wb_snprintf(out, n, "台账中为%s，名单中没有", sheet_word_of(sheet_category_words, cat, 0));
		return;
	}
	while (*p && off < n) { /* "field: registry A, list B; " ... */
		const char *end = strstr(p, "; "), *mid;
		size_t f = 0;
		char a[128], b[128];

		if (strncmp(p, NOT_IN_CATEGORY, strlen(NOT_IN_CATEGORY)) == 0) {
			off += (size_t)snprintf(out + off, n - off, "%s台账中未确认为此类别", off ? "；" : "");
			p += strlen(NOT_IN_CATEGORY);
			continue;
		}

		while (f < WB_ARRAY_LEN(fields) && strncmp(p, fields[f].en, strlen(fields[f].en)) != 0)
			f++;
		if (!end || f == WB_ARRAY_LEN(fields) || strncmp(p + strlen(fields[f].en), ": registry ", 11) != 0 ||
		    !(mid = strstr(p, ", list ")) || mid > end) {
			wb_strlcpy(out, d, n); /* not one of ours */
			return;
		}
		p += strlen(fields[f].en) + 11;
		wb_snprintf(a, sizeof(a), "%.*s", (int)(mid - p), p);
		wb_snprintf(b, sizeof(b), "%.*s", (int)(end - mid - 7), mid + 7);
		off += (size_t)snprintf(out + off, n - off, "%s%s：台账为“%s”，名单为“%s”", off ? "；" : "",
					fields[f].zh, f == 2 ? sheet_word_of(sheet_sex_words, a, 0) : a,
					f == 2 ? sheet_word_of(sheet_sex_words, b, 0) : b);
		p = end + 2;
	}
}

static int group_add(group *g, const recon_item *it)
{
	int rc = wb_grow(&g->items, g->n, &g->cap, sizeof(*g->items), 256, SIZE_MAX);

	if (rc == WB_OK)
		g->items[g->n++] = *it;
	return rc;
}

/* Children found, as a sorted set of ids, to find those not on the list. */
typedef struct idset {
	int64_t *ids;
	size_t n, cap;
} idset;

static int idset_add(idset *s, int64_t id)
{
	int rc = wb_grow(&s->ids, s->n, &s->cap, sizeof(*s->ids), 1024, SIZE_MAX);

	if (rc == WB_OK)
		s->ids[s->n++] = id;
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

typedef struct recon {
	const app *a;
	const sec_principal *p;
	store_conn *c;
	group g[G__COUNT];
	idset found;
	idset confirmed; /* with a category: the children confirmed in it, sorted */
	struct seen {
		int64_t *ids;
		uint32_t *rows;
		size_t cap;
	} seen; /* children matched so far, with the list row that named them first */
	const char *category;
	int64_t last; /* paging over the category's children */
	int page;
} recon;

static void item_from_child(recon_item *it, const child_rec *ch)
{
	it->child_id = ch->id;
	wb_strlcpy(it->name, ch->name, sizeof(it->name));
	wb_strlcpy(it->id_mask, ch->id_mask, sizeof(it->id_mask));
	wb_strlcpy(it->village_code, ch->village_code, sizeof(it->village_code));
}

static int find_child(recon *x, const char *bidx, const char *name, const char *birth, child_rec *out)
{
	child_filter f;
	int64_t id = 0;
	store_stmt *st = NULL;
	buf sql;
	store_args args = {0};
	int rc;

	memset(&f, 0, sizeof(f));
	buf_init(&sql, 2048);
	if (bidx) {
		rc = buf_puts(&sql, "SELECT c.id FROM children c WHERE c.id_bidx = ?");
		args_text(&args, bidx);
	} else {
		rc = buf_puts(&sql, "SELECT c.id FROM children c WHERE c.name = ? AND c.birth_date = ?");
		args_text(&args, name);
		args_text(&args, birth);
	}
	if (rc == WB_OK)
		rc = scope_children_sql(&x->p->scope, "c", &sql, &args);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY c.id LIMIT 2");
	if (rc == WB_OK)
		rc = conn_prepare(x->c, sql.data, &st);
	if (rc == WB_OK)
		rc = stmt_bind_args(x->c, st, &args);
	if (rc == WB_OK)
		rc = stmt_step(x->c, st);
	if (rc == STORE_ROW) {
		id = stmt_int64(x->c, st, 0);
		/* by name and birth date, a second child is no match: ambiguous */
		if (!bidx && stmt_step(x->c, st) == STORE_ROW)
			rc = WB_ECONFLICT;
	}
	stmt_reset(x->c, st);
	buf_cleanup(&sql);
	if (rc < 0 || rc == WB_ECONFLICT)
		return rc;
	if (!id)
		return WB_ENOTFOUND;
	return store_child_get(x->c, &x->p->scope, id, out);
}

/* A list's cell without the blanks around it (wb_trim: the full-width
 * space too), copied into out. */
static const char *trimmed(const char *s, char *out, size_t n)
{
	wb_strlcpy(out, s, n);
	return wb_trim(out);
}

/* The row that named the child before (0: none), remembering row. */
static uint32_t seen_before(struct seen *s, int64_t id, uint32_t row)
{
	for (size_t i = (size_t)((uint64_t)id * 11400714819323198485ULL % s->cap);; i = (i + 1) % s->cap) {
		if (!s->ids[i]) {
			s->ids[i] = id;
			s->rows[i] = row;
			return 0;
		}
		if (s->ids[i] == id)
			return s->rows[i];
	}
}

/* The children the registry has confirmed in the category, as a sorted
 * set: read once, not per row of the list. */
static int load_confirmed(recon *x)
{
	store_stmt *st = NULL;
	int rc = conn_query(x->c, &st,
			    "SELECT child_id FROM child_categories WHERE county_code = ? AND category = ? AND state = "
			    "'confirmed' ORDER BY child_id",
			    "ss", x->p->county_code, x->category);

	while (rc == STORE_ROW) {
		rc = idset_add(&x->confirmed, stmt_int64(x->c, st, 0));
		rc = rc ? rc : stmt_step(x->c, st);
	}
	if (st)
		stmt_reset(x->c, st);
	return rc < 0 ? rc : WB_OK;
}

static int compare_rows(recon *x, const table *t, const int col[5])
{
	int today = clock_today_ymd();

	for (size_t r = 1; r < t->nrows; r++) {
		char nb[160], ib[96], bb[40], vb[40], sb[16], iso[11]; /* ib: 18 full-width characters are 54 bytes */
		const char *name = trimmed(col[0] >= 0 ? table_cell(t, r, col[0]) : "", nb, sizeof(nb));
		char ia[IMPORT_ID_ASCII];
		/* full-width digits (３７０８…, Ｘ) are the number they show, as the import reads them */
		const char *idtext = import_id_number_ascii(
			trimmed(col[1] >= 0 ? table_cell(t, r, col[1]) : "", ib, sizeof(ib)), ia);
		const char *birth = trimmed(col[2] >= 0 ? table_cell(t, r, col[2]) : "", bb, sizeof(bb));
		const char *village = trimmed(col[3] >= 0 ? table_cell(t, r, col[3]) : "", vb, sizeof(vb));
		const char *sexword = trimmed(col[4] >= 0 ? table_cell(t, r, col[4]) : "", sb, sizeof(sb));
		int masked = strchr(idtext, '*') != NULL, ymd;
		/* the sex as the importer reads it (男/女, M/F); "" if none */
		const char *sex = !strcmp(sexword, "男") || !strcmp(sexword, "M")   ? "M"
				  : !strcmp(sexword, "女") || !strcmp(sexword, "F") ? "F"
										    : "";
		char bidx[SEC_HASH_HEX];
		recon_item it;
		child_rec ch;
		idnum id;
		int rc;

		memset(&it, 0, sizeof(it));
		it.row = t->rows[r].line;
		wb_strlcpy(it.name, name, sizeof(it.name));
		wb_strlcpy(it.village_code, village, sizeof(it.village_code));
		/* a date as lists write it (2013/1/4, 2013年1月4日) is the same day */
		if (birth[0] && import_list_date(birth, &ymd, iso) == WB_OK)
			birth = iso;
		if (idtext[0] && !masked) {
			if (idnum_parse(idtext, today, &id) != IDNUM_OK) {
				wb_strlcpy(it.detail, "the ID number on the list is not valid", sizeof(it.detail));
				rc = group_add(&x->g[G_NOT_IN_REGISTRY], &it);
				if (rc)
					return rc;
				continue;
			}
			idnum_mask(id.number, it.id_mask);
			sec_blind_index(&x->a->keys, id.number, bidx);
			if (!birth[0])
				birth = id.birth;
			rc = find_child(x, bidx, NULL, NULL, &ch);
		} else {
			/* no number, or a masked one: by name and birth date */
			rc = name[0] && birth[0] ? find_child(x, NULL, name, birth, &ch) : WB_ENOTFOUND;
		}
		if (rc == WB_ECONFLICT) {
			wb_strlcpy(it.detail, "more than one child of this name and birth date: give the ID number",
				   sizeof(it.detail));
			rc = group_add(&x->g[G_NOT_IN_REGISTRY], &it);
			if (rc)
				return rc;
			continue;
		}
		if (rc == WB_ENOTFOUND) {
			wb_strlcpy(it.detail,
				   masked ? "the ID number on the list is masked: give whole numbers"
					  : "no such child in the registry (in your area)",
				   sizeof(it.detail));
			rc = group_add(&x->g[G_NOT_IN_REGISTRY], &it);
			if (rc)
				return rc;
			continue;
		}
		if (rc)
			return rc;
		{
			/* a child named twice (a double payment?) is said on the second row */
			uint32_t first = seen_before(&x->seen, ch.id, it.row);

			if (first) {
				item_from_child(&it, &ch);
				wb_snprintf(it.detail, sizeof(it.detail), "on the list again (first on row %u)", first);
				rc = group_add(&x->g[G_MISMATCHED], &it);
				if (rc)
					return rc;
				continue;
			}
		}
		rc = idset_add(&x->found, ch.id);
		if (rc)
			return rc;
		{
			char detail[256] = "";
			size_t off = 0;
			/* a list of a category's benefit naming a child the registry
			 * does not have in it: receiving, not entitled */
			/* (bsearch takes no NULL array, even empty) */
			if (x->category && (!x->confirmed.n || !bsearch(&ch.id, x->confirmed.ids, x->confirmed.n,
									sizeof(int64_t), cmp_id)))
				off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%s", NOT_IN_CATEGORY);

			if (name[0] && strcmp(name, ch.name) != 0)
				off += (size_t)snprintf(detail + off, sizeof(detail) - off,
							"name: registry %s, list %s; ", ch.name, name);
			if (off < sizeof(detail) && birth[0] && strcmp(birth, ch.birth_date) != 0)
				off += (size_t)snprintf(detail + off, sizeof(detail) - off,
							"birth date: registry %s, list %s; ", ch.birth_date, birth);
			if (off < sizeof(detail) && sex[0] && ch.sex[0] && strcmp(sex, ch.sex) != 0)
				off += (size_t)snprintf(detail + off, sizeof(detail) - off,
							"sex: registry %s, list %s; ", ch.sex, sex);
			if (off < sizeof(detail) && village[0] && strcmp(village, ch.village_code) != 0)
				snprintf(detail + off, sizeof(detail) - off, "village: registry %s, list %s; ",
					 ch.village_code, village);
			item_from_child(&it, &ch);
			wb_strlcpy(it.detail, detail, sizeof(it.detail));
			rc = group_add(&x->g[detail[0] ? G_MISMATCHED : G_MATCHED], &it);
			if (rc)
				return rc;
		}
	}
	return WB_OK;
}

static int not_in_list_cb(const child_rec *ch, void *arg)
{
	recon *x = arg;
	recon_item it;

	x->last = ch->id;
	x->page++;
	if (x->found.n && bsearch(&ch->id, x->found.ids, x->found.n, sizeof(int64_t), cmp_id))
		return WB_OK;
	memset(&it, 0, sizeof(it));
	item_from_child(&it, ch);
	wb_snprintf(it.detail, sizeof(it.detail), "in the registry as %s, not on the list", x->category);
	return group_add(&x->g[G_NOT_IN_LIST], &it);
}

int api_reconcile(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *category = http_query(r, "category");
	int col[5] = {-1, -1, -1, -1, -1};
	static const char *const want[5] = {"name", "id_number", "birth_date", "village_code", "sex"};
	char err[200];
	uint32_t line = 0;
	audit_entry e;
	recon x;
	table t;
	api_sheet sh;
	int rc, fmt, en;

	if (!p->def->export_children)
		return api_error(r, 403, "forbidden", "your role may not reconcile lists", NULL);
	if (category) {
		enum category k;

		if (category_parse(category, &k) != 0)
			return api_error(r, 422, "validation_failed",
					 "category must be orphan, de_facto_unsupported, left_behind or in_difficulty",
					 "category");
	}
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	table_init(&t);
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.p = p;
	x.c = c;
	x.category = category;
	if (r->body.len >= 4 && memcmp(r->body.data, "PK\x03\x04", 4) == 0)
		rc = table_read_xlsx(&t, r->body.data, r->body.len, err, sizeof(err));
	else
		rc = table_read_csv(&t, r->body.data ? r->body.data : "", r->body.len, &line, err, sizeof(err));
	if (rc || t.nrows < 1) {
		char msg[260];

		/* a row only where one is at fault (not for the file's encoding),
		 * numbered as a spreadsheet shows it (util/table.c) */
		if (line)
			wb_snprintf(msg, sizeof(msg), "row %u: %s", line, rc ? err : "the list is empty");
		else
			wb_strlcpy(msg, rc ? err : "the list is empty", sizeof(msg));
		api_error(r, 422, "invalid_file", msg, "file");
		goto out;
	}
	for (int k = 0; k < t.rows[0].n; k++) {
		const char *f = import_header_field(table_cell(&t, 0, k));

		for (int w = 0; f && w < 5; w++)
			if (strcmp(f, want[w]) == 0 && col[w] < 0)
				col[w] = k;
	}
	if (col[1] < 0 && (col[0] < 0 || col[2] < 0)) {
		api_error(r, 422, "validation_failed",
			  "the list needs an ID number column, or name and birth date columns", "file");
		goto out;
	}
	x.seen.cap = t.nrows * 2 + 16;
	x.seen.ids = calloc(x.seen.cap, sizeof(*x.seen.ids));
	x.seen.rows = calloc(x.seen.cap, sizeof(*x.seen.rows));
	rc = x.seen.ids && x.seen.rows ? WB_OK : WB_ENOMEM;
	if (rc == WB_OK && category)
		rc = load_confirmed(&x);
	if (rc == WB_OK)
		rc = compare_rows(&x, &t, col);
	if (rc == WB_OK && category) {
		child_filter f;

		qsort(x.found.ids, x.found.n, sizeof(int64_t), cmp_id);
		memset(&f, 0, sizeof(f));
		f.category = category;
		f.limit = 1000;
		do {
			x.page = 0;
			f.after_id = x.last;
			rc = store_child_list(c, &p->scope, &f, not_in_list_cb, &x);
		} while (rc == WB_OK && x.page == f.limit);
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "child.reconcile", "list", "", "ok");
	wb_snprintf(e.detail, sizeof(e.detail),
		    "{\"rows\":%zu,\"category\":\"%s\",\"matched\":%zu,\"mismatched\":%zu,\"not_in_registry\":%zu,"
		    "\"not_in_list\":%zu}",
		    t.nrows - 1, category ? category : "", x.g[G_MATCHED].n, x.g[G_MISMATCHED].n,
		    x.g[G_NOT_IN_REGISTRY].n, x.g[G_NOT_IN_LIST].n);
	if (audit_submit(a->audit, &e, NULL, NULL) != WB_OK) {
		api_fail(r, WB_ESTORE);
		goto out;
	}
	if (fmt != SHEET_JSON) {
		rc = api_sheet_begin(&sh, r, fmt, en, en ? "Reconciliation" : "比对结果", result_cols_zh,
				     result_cols_en, WB_ARRAY_LEN(result_cols_zh));
		for (int g = 0; rc == WB_OK && g < G__COUNT; g++)
			for (size_t i = 0; i < x.g[g].n; i++) {
				recon_item *it = &x.g[g].items[i];

				api_sheet_text(&sh, en ? group_en[g] : group_zh[g], 0);
				if (it->row)
					api_sheet_int(&sh, it->row, 0);
				else
					api_sheet_text(&sh, "", 0);
				if (it->child_id)
					api_sheet_int(&sh, it->child_id, 0);
				else
					api_sheet_text(&sh, "", 0);
				api_sheet_text(&sh, it->name, 0);
				api_sheet_text(&sh, it->id_mask, 0);
				api_sheet_text(&sh, it->village_code, 0);
				if (en) {
					char words[400];

					detail_en(it->detail, words, sizeof(words));
					api_sheet_text(&sh, words, 1);
				} else {
					char zh[400];

					detail_zh(it->detail, zh, sizeof(zh));
					api_sheet_text(&sh, zh, 1);
				}
			}
		if (rc)
			api_fail(r, rc);
		else
			api_sheet_end(&sh, r, "reconciliation", clock_today_ymd());
		goto out;
	}
	{
		json_t *o = json_pack("{s:I}", "rows", (json_int_t)(t.nrows - 1));

		for (int g = 0; o && g < G__COUNT; g++) {
			json_t *arr = json_array();

			for (size_t i = 0; i < x.g[g].n && i < RECON_ITEMS_MAX; i++) {
				recon_item *it = &x.g[g].items[i];
				json_t *item =
					json_pack("{s:s, s:s, s:s, s:s}", "name", it->name, "id_number", it->id_mask,
						  "village_code", it->village_code, "detail", it->detail);

				if (it->row)
					json_object_set_new(item, "row", json_integer(it->row));
				if (it->child_id)
					json_object_set_new(item, "child_id", json_integer(it->child_id));
				json_array_append_new(arr, item);
			}
			json_object_set_new(o, group_names[g],
					    json_pack("{s:I, s:o}", "count", (json_int_t)x.g[g].n, "items", arr));
		}
		api_json(r, 200, o);
	}
out:
	for (int g = 0; g < G__COUNT; g++)
		free(x.g[g].items);
	free(x.found.ids);
	free(x.confirmed.ids);
	free(x.seen.ids);
	free(x.seen.rows);
	table_cleanup(&t);
	return 0;
}
