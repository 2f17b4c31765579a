/*
 * The importer; see import.h.
 *
 * Two passes over the table. The first validates every row without
 * writing: column by column, against the area tree and the schools, and
 * ID numbers against earlier rows of the same file. If a row fails and the
 * import is all-or-nothing, it stops after the pass and reports. The
 * second pass matches each row with the registry (by the ID number's blind
 * index, or by name + birth date + village when there is no ID number:
 * the live child, never a guess between two) and creates, fills in or
 * leaves alone; a file value that differs from a recorded one is reported
 * as a conflict and not applied. A row that matches an archived child, a
 * child outside the caller's area or several children is an error; in
 * all-or-nothing mode the rest of the file is then only matched, to report
 * every such row at once, and nothing is written.
 *
 * Rows that create children are written in batches (multi-row INSERTs of
 * the children, their name index and guardians, inside a savepoint): one
 * statement per row per table cost more than the writes themselves. When a
 * batch fails on a conflict it is undone and its rows are applied one by
 * one, so that the issue names the row, as without batches. On SQLite in
 * all-or-nothing mode the batches have no savepoints (the import is rolled
 * back whole on any failure); a failed batch there names the rows whose ID
 * number another record holds, and the import fails.
 */
#include "import.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../domain/date.h"
#include "../domain/area.h"
#include "../domain/category.h"
#include "../domain/fields.h"
#include "../domain/idnum.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "archive_api.h"
#include "loop.h"
#include "registry.h"

enum ifield {
	F_NAME,
	F_ID,
	F_SEX,
	F_BIRTH,
	F_VILLAGE,
	F_GRID,
	F_HUKOU_TYPE,
	F_HUKOU_AREA,
	F_GRADE,
	F_SCHOOL,
	F_DIS_GRADE,
	F_DIS_TYPE,
	F_ILLNESS,
	F_POVERTY,
	F_ADOPTED,
	F_RISK,
	F_NOTES,
	F_FA_NAME,
	F_FA_STATUS,
	F_FA_PHONE,
	F_FA_WORK,
	F_MO_NAME,
	F_MO_STATUS,
	F_MO_PHONE,
	F_MO_WORK,
	F__COUNT,
	F_IGNORE = -2,
	F_UNKNOWN = -1,
};

static const char *const field_names[F__COUNT] = {
	"name",
	"id_number",
	"sex",
	"birth_date",
	"village_code",
	"grid_code",
	"hukou_type",
	"hukou_area_code",
	"grade",
	"school_code",
	"disability_grade",
	"disability_type",
	"serious_illness",
	"family_poverty",
	"adopted",
	"risk_level",
	"notes",
	"father_name",
	"father_status",
	"father_phone",
	"father_work_place",
	"mother_name",
	"mother_status",
	"mother_phone",
	"mother_work_place",
};

/* Header texts recognised for each field (field names in English work too). */
static const struct {
	const char *alias;
	int field;
} aliases[] = {
	{"姓名", F_NAME},
	{"儿童姓名", F_NAME},
	{"身份证号", F_ID},
	{"身份证号码", F_ID},
	{"公民身份号码", F_ID},
	{"证件号码", F_ID},
	{"性别", F_SEX},
	{"出生日期", F_BIRTH},
	{"村（社区）代码", F_VILLAGE},
	{"村(社区)代码", F_VILLAGE},
	{"村代码", F_VILLAGE},
	{"社区代码", F_VILLAGE},
	{"居住地代码", F_VILLAGE},
	{"网格代码", F_GRID},
	{"户籍类型", F_HUKOU_TYPE},
	{"户口性质", F_HUKOU_TYPE},
	{"户籍地代码", F_HUKOU_AREA},
	{"年级", F_GRADE},
	{"学校代码", F_SCHOOL},
	{"残疾等级", F_DIS_GRADE},
	{"残疾类别", F_DIS_TYPE},
	{"重病", F_ILLNESS},
	{"重大疾病", F_ILLNESS},
	{"家庭经济困难", F_POVERTY},
	{"家庭困难", F_POVERTY},
	{"低保特困", F_POVERTY},
	{"已被收养", F_ADOPTED},
	{"收养", F_ADOPTED},
	{"Adopted", F_ADOPTED},
	{"Family poverty", F_POVERTY},
	{"风险等级", F_RISK},
	{"备注", F_NOTES},
	{"父亲姓名", F_FA_NAME},
	{"父亲状况", F_FA_STATUS},
	{"父亲电话", F_FA_PHONE},
	{"父亲务工地", F_FA_WORK},
	{"母亲姓名", F_MO_NAME},
	{"母亲状况", F_MO_STATUS},
	{"母亲电话", F_MO_PHONE},
	{"母亲务工地", F_MO_WORK},
	{"编号", F_IGNORE},
	{"类别", F_IGNORE},
	{"ID", F_IGNORE},
	{"Categories", F_IGNORE},
	{"Name", F_NAME},
	{"ID number", F_ID},
	{"Sex", F_SEX},
	{"Birth date", F_BIRTH},
	{"Village code", F_VILLAGE},
	{"Grid code", F_GRID},
	{"Household registration", F_HUKOU_TYPE},
	{"Grade", F_GRADE},
	{"Disability grade", F_DIS_GRADE},
	{"Risk level", F_RISK},
};

/* Guardian status words as people write them. */
static const struct {
	const char *word;
	const char *status;
} status_words[] = {
	{"在家", "present"},
	{"健在", "present"},
	{"外出务工", "working_away"},
	{"外出", "working_away"},
	{"死亡", "deceased"},
	{"去世", "deceased"},
	{"宣告失踪", "missing"},
	{"失踪", "missing"},
	{"失联", "lost_contact"},
	{"重残", "severe_disability"},
	{"重度残疾", "severe_disability"},
	{"重病", "serious_illness"},
	{"服刑", "imprisoned"},
	{"服刑在押", "imprisoned"},
	{"强制戒毒", "drug_rehab"},
	{"限制人身自由", "detained"},
	{"撤销监护资格", "guardianship_revoked"},
	{"被撤销监护资格", "guardianship_revoked"},
	{"遣送出境", "deported"},
};

/* A yes-or-no cell: 1, 0, or -1 when it is neither (是/否, 有/无, yes/no,
 * y/n, true/false as a spreadsheet writes TRUE/FALSE, 1/0). */
static int yes_no(const char *s)
{
	static const char *const yes[] = {"是", "有", "yes", "y", "true", "1"};
	static const char *const no[] = {"否", "无", "no", "n", "false", "0"};

	for (size_t i = 0; i < WB_ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int field_by_header(const char *h)
{
	for (size_t i = 0; i < WB_ARRAY_LEN(aliases); i++)
		if (strcmp(h, aliases[i].alias) == 0)
			return aliases[i].field;
	for (int f = 0; f < F__COUNT; f++)
		if (strcmp(h, field_names[f]) == 0)
			return f;
	return F_UNKNOWN;
}

const char *import_header_field(const char *header)
{
	int f = field_by_header(header);

	return f >= 0 ? field_names[f] : NULL;
}

const char *import_field_header(const char *field)
{
	for (int f = 0; f < F__COUNT; f++)
		if (strcmp(field, field_names[f]) == 0)
			for (size_t i = 0; i < WB_ARRAY_LEN(aliases); i++)
				if (aliases[i].field == f)
					return aliases[i].alias;
	return NULL;
}

/* The birth date forms a list may use (import_list_date), as the error says them. */
#define BIRTH_FORMS                                                                                                     \
	"birth_date must be a real date written 2016-03-05, 2016-3-5, 2016/3/5, 2016.03.05 or 2016年3月5日 (a time " \
	"after the day is ignored)"
#define DISABILITY_TYPES                                                                                                                       \
	"disability type must be 视力残疾, 听力残疾, 言语残疾, 肢体残疾, 智力残疾, 精神残疾 or 多重残疾 (visual, " \
	"hearing, speech, physical, intellectual, mental, multiple)"
/* The disability grades a list may write (disability_grade_word). */
#define DIS_GRADE_FORMS "disability grade must be 0 to 4, 一级 to 四级 or 1级 to 4级"
/* An ID number a spreadsheet kept as a number (id_number_cell). */
#define ID_AS_NUMBER \
	"the ID number was stored as a number in the spreadsheet and lost digits; format the column as text"

/* A column of the header the import does not know (the report's row). */
#define IGNORED_REASON    "the import does not know this column; its cells were not read"
#define IGNORED_REASON_ZH "导入不认识这一列，其内容未读取"
/* the tail a missing column's error gets when the file has columns the
 * import does not know: "<base>; the file has a column the import does not
 * know, 'X': is it meant to be 身份证号?" */
#define UNKNOWN_TAIL_ONE  "; the file has a column the import does not know, "
#define UNKNOWN_TAIL_MANY "; the file has columns the import does not know, "
#define UNKNOWN_ASK       ": is it meant to be "

/* ---- an issue's reason in Chinese (the report's file; the page says the
 * same from web/src/lib/issues.js) ---- */

static const struct {
	const char *en, *zh;
} reason_exact[] = {
	{"a guardian needs a status", "台账中还没有这位监护人，须填写其状况（如 在家、外出务工）"},
	{"name contains control or invisible characters or surrounding spaces",
	 "姓名含有控制字符、不可见字符或首尾空格"},
	{"name contains control characters, surrounding spaces or is too long", "姓名含有控制字符或首尾空格，或过长"},
	{"phone must be digits (mobile or landline with area code)",
	 "手机号码为 11 位；固定电话须带区号（如 0537-1234567）"},
	{"name is empty", "姓名为空"},
	{"the ID number is masked; import from a file with whole numbers", "身份证号码已脱敏，请使用含完整号码的文件"},
	{"ID number must have 18 characters (or 15 for a legacy number)", "身份证号码应为 18 位（旧版为 15 位）"},
	{"ID number must be digits, with X allowed only as the last character",
	 "身份证号码只能由数字组成，最后一位可以是 X"},
	{"ID number contains a birth date that does not exist", "身份证号码中的出生日期不存在"},
	{"ID number contains a birth date in the future", "身份证号码中的出生日期晚于今天"},
	{"ID number contains a birth date before 1900", "身份证号码中的出生日期早于 1900 年"},
	{"ID number check character is wrong", "身份证号码校验位错误，请核对"},
	{"sex does not match the ID number", "性别与身份证号码不符"},
	{"birth_date must be a real date YYYY-MM-DD",
	 "出生日期应为有效日期（YYYY-MM-DD）"}, /* the reports of older versions */
	{BIRTH_FORMS,
	 "出生日期应为有效日期，写作 2016-03-05、2016-3-5、2016/3/5、2016.03.05 或 2016年3月5日（其后的时间不计）"},
	{"birth_date is in the future", "出生日期不能晚于今天"},
	{"birth_date does not match the ID number", "出生日期与身份证号码不符"},
	{"sex is required when there is no ID number", "没有身份证号码时必须填写性别"},
	{"birth_date is required when there is no ID number", "没有身份证号码时必须填写出生日期"},
	{"not the code of a village or community of this county", "不是本县的村（社区）代码"},
	{"the village is outside your area", "所选村（社区）不在您的管辖范围内"},
	{"not a grid of the child's village", "网格必须属于所选村（社区）"},
	{"the child's place is outside your area", "所选村（社区）不在您的管辖范围内"},
	{"the grid is outside your area", "所选网格不在您的管辖范围内"},
	{"contains control characters", "含有控制字符（如换行符）"},
	{"must be a 6, 9 or 12-digit area code", "户籍地代码应为 6、9 或 12 位数字"},
	{"grade is too long", "年级内容过长"},
	{"no school with this code in the county", "本县没有该代码的学校"},
	{"disability grade must be 0 to 4", "残疾等级应为 0 至 4"}, /* the reports of older versions */
	{DIS_GRADE_FORMS, "残疾等级应为 0 至 4、一级至四级或 1级至4级"},
	{ID_AS_NUMBER, "身份证号码在表格中存成了数字，末几位已丢失；请把该列设为文本格式后重新填写"},
	{"disability type is too long", "残疾类别内容过长"},
	{DISABILITY_TYPES, "残疾类别应为视力残疾、听力残疾、言语残疾、肢体残疾、智力残疾、精神残疾或多重残疾"},
	{"too long", "内容过长"},
	{"notes are too long", "备注内容过长"},
	{"this child is registered in a village outside your area", "该儿童登记在您辖区以外的村（社区）"},
	{"conflicts with another record (duplicate ID number)", "该身份证号码的儿童已经登记"},
	{"the registry has another school; kept the registry's", "台账中为其他学校，保留台账信息"},
	{"the file needs an ID number column, or sex and birth date columns",
	 "文件需要身份证号码列，或性别和出生日期列"},
	{"must be 是 or 否", "应填“是”或“否”"},
	{"18 or older and past the archive's grace days: not registered",
	 "已满 18 周岁且超过归档宽限期，未登记（台账只登记未成年人）"},
	{"this child's record is archived: the township station or the centre must restore it before an import can "
	 "change it",
	 "该儿童的档案已归档，须由乡镇（街道）工作站或县未保中心恢复后才能导入"},
};

static const struct {
	const char *start, *zh;
} reason_prefix[] = {
	{"status is not in the guardian status vocabulary", "监护人状况无法识别（可填：在家、外出务工、死亡等）"},
	{"sex must be ", "性别应为“男”或“女”"},
	{"household registration must be ", "户籍类型应为“农业”或“非农业”"},
	{"risk level must be ", "风险等级应为“低”“中”或“高”"},
	{"the file has no name column", "文件没有“姓名”列"},
	{"the file has no village code column", "文件没有“村（社区）代码”列"},
};

/* The fields a conflict names with a coded value (merge_code, merge_yes_no),
 * by their header in Chinese. */
static const struct {
	const char *field, *zh;
} coded_fields[] = {
	{"household registration", "户籍类型"},
	{"risk level", "风险等级"},
	{"family poverty", "家庭经济困难"},
	{"adopted", "已被收养"},
};

/* The words of a coded value in a conflict ("rural": 农业, "yes": 是). */
static const struct {
	const char *field, *code, *zh;
} value_words[] = {
	{"household registration", "rural", "农业"},
	{"household registration", "urban", "非农业"},
	{"risk level", "low", "低"},
	{"risk level", "medium", "中"},
	{"risk level", "high", "高"},
	{"family poverty", "yes", "是"},
	{"family poverty", "no", "否"},
	{"adopted", "yes", "是"},
	{"adopted", "no", "否"},
};

static const char *value_word(const char *field, const char *code)
{
	for (size_t i = 0; i < WB_ARRAY_LEN(value_words); i++)
		if (strcmp(value_words[i].field, field) == 0 && strcmp(value_words[i].code, code) == 0)
			return value_words[i].zh;
	return code;
}

/* A status code's first word ("working_away": 外出务工). */
static const char *status_word(const char *status)
{
	for (size_t i = 0; i < WB_ARRAY_LEN(status_words); i++)
		if (strcmp(status_words[i].status, status) == 0)
			return status_words[i].word;
	return status;
}

/* A missing column's error naming the file's unknown columns (the tail
 * missing_column adds) in Chinese: 0 if reason has no such tail. */
static int unknown_tail_zh(const char *reason, char *out, size_t n)
{
	const char *one = strstr(reason, UNKNOWN_TAIL_ONE), *many = strstr(reason, UNKNOWN_TAIL_MANY);
	const char *tail = one ? one : many, *list, *ask, *q;
	char base[320], base_zh[320], cols[320];
	size_t k = 0;

	if (!tail || (size_t)(tail - reason) >= sizeof(base))
		return 0;
	memcpy(base, reason, (size_t)(tail - reason));
	base[tail - reason] = '\0';
	list = tail + strlen(one ? UNKNOWN_TAIL_ONE : UNKNOWN_TAIL_MANY);
	ask = strstr(list, UNKNOWN_ASK);
	if (!ask || !import_reason_zh(base, base_zh, sizeof(base_zh)))
		return 0;
	/* 'A', 'B' as “A”、“B” */
	for (q = list; q < ask && k + 8 < sizeof(cols); q++) {
		if (*q == '\'') {
			int open = q == list || q[-1] == ' ';

			memcpy(cols + k, open ? "\xe2\x80\x9c" : "\xe2\x80\x9d", 3); /* “ ” */
			k += 3;
		} else if (*q == ',' && q[1] == ' ' && q[-1] == '\'') {
			memcpy(cols + k, "\xe3\x80\x81", 3); /* 、 */
			k += 3;
			q++;
		} else {
			cols[k++] = *q;
		}
	}
	cols[k] = '\0';
	{
		char header[64];
		size_t hl = strcspn(ask + strlen(UNKNOWN_ASK), "?");

		if (hl >= sizeof(header))
			hl = sizeof(header) - 1;
		memcpy(header, ask + strlen(UNKNOWN_ASK), hl);
		header[hl] = '\0';
		wb_snprintf(out, n, "%s；文件中有导入不认识的列%s，是否就是“%s”？", base_zh, cols, header);
	}
	return 1;
}

int import_reason_zh(const char *reason, char *out, size_t n)
{
	char a[64], b[64], c[64];
	unsigned row;
	int x, y;

	if (strcmp(reason, IGNORED_REASON) == 0)
		return wb_strlcpy(out, IGNORED_REASON_ZH, n), 1;
	if (unknown_tail_zh(reason, out, n))
		return 1;

	for (size_t i = 0; i < WB_ARRAY_LEN(reason_exact); i++)
		if (strcmp(reason, reason_exact[i].en) == 0)
			return wb_strlcpy(out, reason_exact[i].zh, n), 1;
	for (size_t i = 0; i < WB_ARRAY_LEN(reason_prefix); i++)
		if (strncmp(reason, reason_prefix[i].start, strlen(reason_prefix[i].start)) == 0)
			return wb_strlcpy(out, reason_prefix[i].zh, n), 1;
	if (sscanf(reason, "the registry has %15[a-z] status '%31[a-z_]', the file has '%31[a-z_]'", a, b, c) == 3) {
		wb_snprintf(out, n, "台账中%s状况为“%s”，文件为“%s”，保留台账信息",
			    strcmp(a, "father") == 0   ? "父亲"
			    : strcmp(a, "mother") == 0 ? "母亲"
						       : a,
			    status_word(b), status_word(c));
		return 1;
	}
	for (size_t i = 0; i < WB_ARRAY_LEN(coded_fields); i++) {
		const char *f = coded_fields[i].field;
		size_t fl = strlen(f);

		if (strncmp(reason, "the registry has ", 17) == 0 && strncmp(reason + 17, f, fl) == 0 &&
		    sscanf(reason + 17 + fl, " '%31[a-z]', the file has '%31[a-z]'", b, c) == 2) {
			wb_snprintf(out, n, "台账中%s为“%s”，文件为“%s”，保留台账信息", coded_fields[i].zh,
				    value_word(f, b), value_word(f, c));
			return 1;
		}
	}
	if (sscanf(reason, "the registry has %d, the file has %d;", &x, &y) == 2) {
		wb_snprintf(out, n, "台账中为“%d”，文件为“%d”，保留台账信息", x, y);
		return 1;
	}
	if (sscanf(reason, "the registry has '%63[^']', the file has '%63[^']'", a, b) == 2) {
		wb_snprintf(out, n, "台账中为“%s”，文件为“%s”，保留台账信息", a, b);
		return 1;
	}
	if (sscanf(reason, "too long: at most %d bytes (%d Chinese characters)", &x, &y) == 2) {
		wb_snprintf(out, n, "内容过长：最多 %d 字节（%d 个汉字）", x, y);
		return 1;
	}
	if (strstr(reason, " children without an ID number have this name") &&
	    sscanf(reason, "ambiguous: %d", &x) == 1) {
		wb_snprintf(
			out, n,
			"有 %d 名未登记身份证号码的儿童姓名、出生日期和村（社区）都相同，无法确定这个号码是哪一名的："
			"请在该儿童的页面上填写",
			x);
		return 1;
	}
	if (sscanf(reason, "ambiguous: %d children of this name, birth date and village", &x) == 1) {
		wb_snprintf(out, n,
			    "有 %d 名儿童的姓名、出生日期和村（社区）都相同，无法确定是哪一名：请填写身份证号码", x);
		return 1;
	}
	if (sscanf(reason, "the same ID number is already on row %u of this file", &row) == 1) {
		wb_snprintf(out, n, "与本文件第 %u 行的身份证号码重复", row);
		return 1;
	}
	if (sscanf(reason, "two columns map to %31[a-z_]", a) == 1) {
		const char *h = import_field_header(a);

		wb_snprintf(out, n, "有两列对应“%s”", h ? h : a);
		return 1;
	}
	if (sscanf(reason, "mapping names an unknown field '%63[^']'", a) == 1) {
		wb_snprintf(out, n, "列的对应关系中有未知字段“%s”", a);
		return 1;
	}
	return 0;
}

size_t import_template_columns(const char **zh, const char **en, size_t n)
{
	size_t k = 0;

	for (int f = 0; f < F__COUNT && k < n; f++, k++) {
		const char *h = import_field_header(field_names[f]);

		zh[k] = h ? h : field_names[f];
		en[k] = field_names[f];
	}
	return k;
}

json_t *import_fields_json(void)
{
	json_t *arr = json_array();

	for (int f = 0; f < F__COUNT; f++) {
		json_t *al = json_array();

		for (size_t i = 0; i < WB_ARRAY_LEN(aliases); i++)
			if (aliases[i].field == f)
				json_array_append_new(al, json_string(aliases[i].alias));
		json_array_append_new(arr, json_pack("{s:s, s:o}", "field", field_names[f], "headers", al));
	}
	return arr;
}

/* ---- loading ---- */

/* ---- columns the import does not know ---- */

static void issue(import_job *j, uint32_t row, const char *column, const char *kind, const char *reason);

const char *import_ignored_reason(int zh)
{
	return zh ? IGNORED_REASON_ZH : IGNORED_REASON;
}

/* Notes the header's columns that name no field (and are not mapped):
 * their cells are left alone, and the clerk is told which they are. */
static void note_ignored(import_job *j)
{
	j->nignored = 0;
	j->ignored_more = 0;
	for (int c = 0; j->t.nrows && c < j->t.rows[0].n; c++) {
		const char *h = table_cell(&j->t, 0, c);
		const char *mapped = j->mapping ? json_string_value(json_object_get(j->mapping, h)) : NULL;

		/* as build_map reads the header: a column mapped is read (a
		 * mapping to no field is an error of its own) */
		if (!h[0] || mapped || field_by_header(h) != F_UNKNOWN)
			continue;
		if (j->nignored < IMPORT_IGNORED_MAX)
			wb_strlcpy_utf8(j->ignored[j->nignored++], h, IMPORT_COLUMN_MAX);
		else
			j->ignored_more++;
	}
}

json_t *import_ignored_json(const import_job *j)
{
	json_t *a = json_array();

	for (int i = 0; i < j->nignored; i++)
		json_array_append_new(a, json_string(j->ignored[i]));
	if (j->ignored_more)
		json_array_append_new(a, json_string("\xe2\x80\xa6")); /* … */
	return a;
}

/* The code points of UTF-8 s into cp (at most max); -1 if s has more. */
static int code_points(const char *s, uint32_t *cp, int max)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
		uint32_t c = *p;
		int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

		if (n == max)
			return -1;
		if (more)
			c &= 0x3F >> more;
		p++;
		for (; more && (*p & 0xC0) == 0x80; more--)
			c = (c << 6) | (*p++ & 0x3F);
		cp[n] = c;
	}
	return n;
}

/* The edit distance of two short texts in characters (a large number for
 * texts longer than a header is). */
static int text_distance(const char *a, const char *b)
{
	uint32_t x[32], y[32];
	int d[33], nx = code_points(a, x, 32), ny = code_points(b, y, 32);

	if (nx < 0 || ny < 0)
		return 99;
	for (int k = 0; k <= ny; k++)
		d[k] = k;
	for (int i = 1; i <= nx; i++) {
		int diag = d[0];

		d[0] = i;
		for (int k = 1; k <= ny; k++) {
			int up = d[k], best = diag + (x[i - 1] != y[k - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (d[k - 1] + 1 < best)
				best = d[k - 1] + 1;
			diag = up;
			d[k] = best;
		}
	}
	return d[ny];
}

/* How close the ignored column h is to a header of field f: its edit
 * distance to the nearest (a header of one or two characters must match
 * but for one, longer ones but for two). 99 if it is not close. */
static int closeness(const char *h, int f)
{
	int best = 99;

	for (size_t i = 0; i < WB_ARRAY_LEN(aliases); i++) {
		int d, len;
		uint32_t cp[32];

		if (aliases[i].field != f)
			continue;
		d = text_distance(h, aliases[i].alias);
		len = code_points(aliases[i].alias, cp, 32);
		if (d <= (len > 2 ? 2 : 1) && d < best)
			best = d;
	}
	return best;
}

/*
 * The error of a missing column (field f, or any of fields[0..n) for the
 * ID number's alternatives), base its reason: when the file has columns
 * the import does not know, the reason names them too — the one closest
 * to the missing column's headers, else every one (a typo is the likely
 * cause) — and asks whether it is meant to be header.
 */
static void missing_column(import_job *j, const char *column, const char *base, const int *fields, int n,
			   const char *header)
{
	char reason[512], list[200]; /* issue() cuts the reason at a whole character */
	int best = 99, pick = -1, named = 0;
	size_t len = 0;

	for (int i = 0; i < j->nignored; i++)
		for (int k = 0; k < n; k++) {
			int d = closeness(j->ignored[i], fields[k]);

			if (d < best)
				best = d, pick = i;
		}
	list[0] = '\0';
	for (int i = 0; i < j->nignored; i++) {
		if (pick >= 0 && i != pick)
			continue;
		if (len + strlen(j->ignored[i]) + 5 > sizeof(list))
			break; /* named whole or not at all: a cut could split a character */
		wb_snprintf(list + len, sizeof(list) - len, "%s'%s'", named ? ", " : "", j->ignored[i]);
		len = strlen(list);
		named++;
	}
	if (!named) {
		issue(j, 1, column, "error", base);
		return;
	}
	wb_snprintf(reason, sizeof(reason), "%s%s%s%s%s?", base, named == 1 ? UNKNOWN_TAIL_ONE : UNKNOWN_TAIL_MANY,
		    list, UNKNOWN_ASK, header);
	issue(j, 1, column, "error", reason);
}

int import_load(import_job *j, const char *data, size_t len)
{
	uint32_t line = 0;
	int rc;

	table_init(&j->t);
	wb_strlcpy(j->status, "running", sizeof(j->status));
	if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
		wb_strlcpy(j->format, "xlsx", sizeof(j->format));
		rc = table_read_xlsx(&j->t, data, len, j->message, sizeof(j->message));
	} else {
		char err[160];

		wb_strlcpy(j->format, "csv", sizeof(j->format));
		rc = table_read_csv(&j->t, data, len, &line, err, sizeof(err));
		if (rc)
			wb_snprintf(j->message, sizeof(j->message), "row %u: %s", line, err);
	}
	if (rc == WB_OK && j->t.nrows < 2) {
		wb_strlcpy(j->message, "the file has no data rows under its header", sizeof(j->message));
		rc = WB_EINVAL;
	}
	if (rc == WB_OK)
		note_ignored(j);
	return rc;
}

void import_job_cleanup(import_job *j)
{
	table_cleanup(&j->t);
	free(j->issues);
	j->issues = NULL;
	j->nissues = 0;
}

static void issue(import_job *j, uint32_t row, const char *column, const char *kind, const char *reason)
{
	import_issue *is;

	if (strcmp(kind, "error") == 0)
		j->errors++;
	else if (strcmp(kind, "skipped") == 0)
		j->skipped++;
	else
		j->conflicts++;
	if (j->nissues >= IMPORT_MAX_ISSUES)
		return;
	if (!j->issues) {
		j->issues = calloc(IMPORT_MAX_ISSUES, sizeof(*j->issues));
		if (!j->issues)
			return;
	}
	is = &j->issues[j->nissues++];
	is->row = row;
	/* cut at a whole character: the answer, the report and PostgreSQL
	 * take UTF-8 only */
	wb_strlcpy_utf8(is->column, column ? column : "", sizeof(is->column));
	wb_strlcpy(is->kind, kind, sizeof(is->kind));
	wb_strlcpy_utf8(is->reason, reason, sizeof(is->reason));
}

/* ---- the column map ---- */

typedef struct colmap {
	int col[F__COUNT]; /* table column of each field, -1 if absent */
} colmap;

static int build_map(import_job *j, colmap *m)
{
	int n = j->t.rows[0].n;

	for (int f = 0; f < F__COUNT; f++)
		m->col[f] = -1;
	for (int c = 0; c < n; c++) {
		const char *h = table_cell(&j->t, 0, c);
		const char *mapped = j->mapping ? json_string_value(json_object_get(j->mapping, h)) : NULL;
		int f = mapped ? field_by_header(mapped) : field_by_header(h);
		char msg[200];

		if (mapped && f == F_UNKNOWN) {
			wb_snprintf(msg, sizeof(msg), "mapping names an unknown field '%.60s'", mapped);
			issue(j, 1, h, "error", msg);
			continue;
		}
		if (f < 0)
			continue; /* unknown or ignored columns are left alone */
		if (m->col[f] >= 0) {
			wb_snprintf(msg, sizeof(msg), "two columns map to %s", field_names[f]);
			issue(j, 1, h, "error", msg);
			continue;
		}
		m->col[f] = c;
	}
	if (m->col[F_NAME] < 0)
		missing_column(j, "姓名", "the file has no name column (姓名)", (const int[]){F_NAME}, 1, "姓名");
	if (m->col[F_VILLAGE] < 0)
		missing_column(j, "村（社区）代码", "the file has no village code column (村（社区）代码)",
			       (const int[]){F_VILLAGE}, 1, "村（社区）代码");
	if (m->col[F_ID] < 0 && (m->col[F_SEX] < 0 || m->col[F_BIRTH] < 0)) {
		/* the missing one the unknown column may be: the ID number, or
		 * sex or birth date where the file has the other */
		int fields[3], nf = 0;
		const char *header = "身份证号";

		fields[nf++] = F_ID;
		if (m->col[F_SEX] < 0)
			fields[nf++] = F_SEX;
		if (m->col[F_BIRTH] < 0)
			fields[nf++] = F_BIRTH;
		for (int i = 0, best = 99; i < j->nignored; i++)
			for (int k = 0; k < nf; k++) {
				int d = closeness(j->ignored[i], fields[k]);

				if (d < best) {
					best = d;
					header = import_field_header(field_names[fields[k]]);
				}
			}
		missing_column(j, "身份证号", "the file needs an ID number column, or sex and birth date columns",
			       fields, nf, header ? header : "身份证号");
	}
	return j->errors ? -1 : 0;
}

/* ---- one row ---- */

typedef struct row_data {
	child_rec ch;
	guardian_rec g[2];
	int ng;
	int has[F__COUNT]; /* the file gave a value */
	char idnum[19];
} row_data;

static const char *cell(const import_job *j, const colmap *m, size_t row, int f)
{
	return m->col[f] < 0 ? "" : table_cell(&j->t, row, m->col[f]);
}

static const char *header(const import_job *j, const colmap *m, int f)
{
	return m->col[f] < 0 ? field_names[f] : table_cell(&j->t, 0, m->col[f]);
}

static const char *status_of(const char *s)
{
	enum guardian_status st;

	for (size_t i = 0; i < WB_ARRAY_LEN(status_words); i++)
		if (strcmp(s, status_words[i].word) == 0)
			return status_words[i].status;
	if (guardian_status_parse(s, &st) == 0 && st != GS_UNKNOWN)
		return s;
	return NULL;
}

/* A small cache of the villages and grids of the county and of schools. */
typedef struct place_cache {
	char (*codes)[16];
	size_t n;
	unit_rec *schools;
	size_t nschools;
} place_cache;

static int cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int load_places(store_conn *c, const char *county, place_cache *pc)
{
	store_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	memset(pc, 0, sizeof(*pc));
	rc = conn_prepare(c, "SELECT code FROM areas WHERE county_code = ? AND level IN ('village', 'grid')", &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, county);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		rc = wb_grow(&pc->codes, pc->n, &cap, sizeof(*pc->codes), 1024, SIZE_MAX);
		if (rc)
			break;
		stmt_copy(c, st, 0, pc->codes[pc->n++], sizeof(pc->codes[0]));
		rc = WB_OK;
	}
	stmt_reset(c, st);
	if (rc < 0)
		return rc;
	qsort(pc->codes, pc->n, sizeof(*pc->codes), cmp_code);
	cap = 0;
	rc = conn_prepare(c, "SELECT id, code FROM units WHERE county_code = ? AND kind = 'school'", &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, county);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		rc = wb_grow(&pc->schools, pc->nschools, &cap, sizeof(*pc->schools), 128, SIZE_MAX);
		if (rc)
			break;
		memset(&pc->schools[pc->nschools], 0, sizeof(unit_rec));
		pc->schools[pc->nschools].id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, pc->schools[pc->nschools].code, sizeof(pc->schools[0].code));
		pc->nschools++;
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

static int place_known(const place_cache *pc, const char *code)
{
	char key[16];

	wb_strlcpy(key, code, sizeof(key));
	return bsearch(key, pc->codes, pc->n, sizeof(*pc->codes), cmp_code) != NULL;
}

static int64_t school_by_code(const place_cache *pc, const char *code)
{
	for (size_t i = 0; i < pc->nschools; i++)
		if (strcmp(pc->schools[i].code, code) == 0)
			return pc->schools[i].id;
	return 0;
}

static int bad(import_job *j, size_t row, const colmap *m, int f, const char *reason)
{
	issue(j, j->t.rows[row].line, header(j, m, f), "error", reason);
	return -1;
}

/* The limits are the API's (fields.h); each must fit its buffer. */
_Static_assert(FIELD_MAX_CHILD_NAME < sizeof(((child_rec *)0)->name), "child name");
_Static_assert(FIELD_MAX_GRADE < sizeof(((child_rec *)0)->grade), "grade");
_Static_assert(FIELD_MAX_DISABILITY < sizeof(((child_rec *)0)->disability_type), "disability type");
_Static_assert(FIELD_MAX_ILLNESS < sizeof(((child_rec *)0)->serious_illness), "serious illness");
_Static_assert(FIELD_MAX_NOTES < sizeof(((child_rec *)0)->notes), "notes");
_Static_assert(FIELD_MAX_GUARDIAN_NAME < sizeof(((guardian_rec *)0)->name), "guardian name");
_Static_assert(FIELD_MAX_GUARDIAN_WORK < sizeof(((guardian_rec *)0)->work_place), "work place");

static int too_long(import_job *j, size_t row, const colmap *m, int f, size_t max)
{
	char msg[96];

	wb_snprintf(msg, sizeof(msg), "too long: at most %zu bytes (%zu Chinese characters)", max, max / 3);
	return bad(j, row, m, f, msg);
}

/*
 * A free-text cell of field f, judged as POST /children judges the field
 * (field_check_text): no control characters (notes: line breaks and tabs
 * pass), a name without blanks at either end, at most the field's bytes.
 * 0, or -1 after an issue naming the column: a cell is refused, never cut
 * to its buffer. An empty cell passes (the caller says if it is needed).
 */
static int text_ok(import_job *j, size_t row, const colmap *m, int f, enum field_text t)
{
	const char *s = cell(j, m, row, f);

	if (!s[0])
		return 0;
	switch (field_check_text(t, s)) {
	case FIELD_OK: return 0;
	case FIELD_CONTROL:
		if (t == FT_CHILD_NAME || t == FT_GUARDIAN_NAME)
			return bad(j, row, m, f, "name contains control or invisible characters or surrounding spaces");
		return bad(j, row, m, f, "contains control characters");
	case FIELD_BLANKS:
		return bad(j, row, m, f, "name contains control or invisible characters or surrounding spaces");
	case FIELD_TOO_LONG: return too_long(j, row, m, f, field_text_max(t));
	}
	return 0;
}

static int parse_guardian(import_job *j, size_t row, const colmap *m, int fname, int fstatus, int fphone, int fwork,
			  const char *relation, row_data *d, int validate_only)
{
	const char *name = cell(j, m, row, fname), *st = cell(j, m, row, fstatus);
	const char *phone = cell(j, m, row, fphone), *work = cell(j, m, row, fwork);
	guardian_rec *g;
	const char *status;
	char digits[32];
	int failed = 0;

	if (!name[0] && !st[0] && !phone[0] && !work[0])
		return 0;
	/* no status: the registered guardian's is kept; a guardian the
	 * registry does not have needs one (guardian_needs_status) */
	status = st[0] ? status_of(st) : "";
	if (!status)
		failed = bad(j, row, m, fstatus,
			     "status is not in the guardian status vocabulary (e.g. 在家, 外出务工, 死亡)");
	if (text_ok(j, row, m, fname, FT_GUARDIAN_NAME))
		failed = -1;
	if (text_ok(j, row, m, fwork, FT_GUARDIAN_WORK))
		failed = -1;
	if (phone[0] && !field_phone_digits(phone, digits, sizeof(digits)))
		failed = bad(j, row, m, fphone, "phone must be digits (mobile or landline with area code)");
	if (failed)
		return -1;
	g = &d->g[d->ng++];
	memset(g, 0, sizeof(*g));
	wb_strlcpy(g->relation, relation, sizeof(g->relation));
	wb_strlcpy(g->name, name[0] ? name : (strcmp(relation, "father") == 0 ? "父亲" : "母亲"), sizeof(g->name));
	wb_strlcpy(g->status, status, sizeof(g->status));
	wb_strlcpy(g->work_place, work, sizeof(g->work_place));
	if (phone[0] && !validate_only) {
		/* the digits alone, as the API stores a phone */
		if (sec_encrypt_field(j->keys, digits, g->phone_enc) != WB_OK)
			return bad(j, row, m, fphone, "cannot encrypt");
		field_mask_phone(digits, g->phone_mask, sizeof(g->phone_mask));
	}
	return 0;
}

/* Reads up to max digits at *p into *v (at least one). */
static int digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/*
 * A birth date as departments' lists write it: 2016-03-05, 2016-3-5,
 * 2016/3/5, 2016.03.05 or 2016年3月5日, any of them with a time of day
 * after a space (2016/3/5 0:00, 2016-03-05 00:00:00: a spreadsheet's date
 * and time), which is ignored. An XLSX date cell arrives as 2016-03-05
 * from the reader, a date-time cell as 2016-03-05 08:30. Writes the day as
 * "YYYY-MM-DD" into iso (11 bytes) and *ymd; WB_EINVAL if s is none of
 * these or no real day (date_parse decides). The API keeps to YYYY-MM-DD:
 * only lists are read this loosely.
 */
int import_list_date(const char *s, int *ymd, char iso[11])
{
	const char *p = s;
	int y, mo, d;
	char text[24];

	if (digits(&p, 4, &y) != 4)
		return WB_EINVAL;
	if (strncmp(p, "年", strlen("年")) == 0) {
		p += strlen("年");
		if (!digits(&p, 2, &mo) || strncmp(p, "月", strlen("月")) != 0)
			return WB_EINVAL;
		p += strlen("月");
		if (!digits(&p, 2, &d))
			return WB_EINVAL;
		if (strncmp(p, "日", strlen("日")) == 0)
			p += strlen("日");
	} else {
		char sep = *p;

		if (sep != '-' && sep != '/' && sep != '.')
			return WB_EINVAL;
		p++;
		if (!digits(&p, 2, &mo) || *p++ != sep || !digits(&p, 2, &d))
			return WB_EINVAL;
	}
	if (*p == ' ') {
		int h, mi, sec = 0;

		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) != 2)
			return WB_EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) != 2)
				return WB_EINVAL;
		}
		if (h > 23 || mi > 59 || sec > 59)
			return WB_EINVAL;
	}
	if (*p)
		return WB_EINVAL;
	wb_snprintf(text, sizeof(text), "%04d-%02d-%02d", y, mo, d);
	if (date_parse(text, ymd) != WB_OK)
		return WB_EINVAL;
	wb_strlcpy(iso, text, 11);
	return WB_OK;
}

/* The grades of a disability as lists write them: 二级 and 2级 are 2. */
static long long disability_grade_word(const char *s)
{
	static const char *const words[][2] = {
		{"一级", "1级"},
		{"二级", "2级"},
		{"三级", "3级"},
		{"四级", "4级"},
	};

	for (size_t i = 0; i < WB_ARRAY_LEN(words); i++)
		if (strcmp(s, words[i][0]) == 0 || strcmp(s, words[i][1]) == 0)
			return (long long)i + 1;
	return 0;
}

/*
 * An ID number in an XLSX number cell: a spreadsheet keeps 15 digits of a
 * number (and a double holds no more than 15 or 16 exactly), so a longer
 * one has lost its last digits (370831201501010000, 3.70831201501010E+17)
 * and 1 is returned, even when what is left passes the check character;
 * a number of 15 digits or fewer
 * may be whole: *s is then its digits (in whole, 24 bytes) when the cell
 * wrote it otherwise (3.70831150101011E+14).
 */
static int id_number_cell(const import_job *j, const colmap *m, size_t row, const char **s, char *whole)
{
	char *end;
	double v;

	if (!table_cell_is_number(&j->t, row, m->col[F_ID]))
		return 0;
	v = strtod(*s, &end);
	if (end == *s || *end)
		return 0;
	if (v >= 1e15)
		return 1;
	if (v >= 1 && v == (double)(long long)v && strspn(*s, "0123456789") != strlen(*s)) {
		wb_snprintf(whole, 24, "%lld", (long long)v);
		*s = whole;
	}
	return 0;
}

/* see import.h */
const char *import_id_number_ascii(const char *s, char out[IMPORT_ID_ASCII])
{
	size_t k = 0;

	if (!strstr(s, "\xef\xbc") && !strstr(s, "\xef\xbd\x98"))
		return s;
	for (const char *p = s; *p; k++) {
		if (k + 1 >= IMPORT_ID_ASCII)
			return s;
		if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBC && (unsigned char)p[2] >= 0x90 &&
		    (unsigned char)p[2] <= 0x99) {
			out[k] = (char)('0' + ((unsigned char)p[2] - 0x90));
			p += 3;
		} else if (strncmp(p, "\xef\xbc\xb8", 3) == 0 || strncmp(p, "\xef\xbd\x98", 3) == 0) {
			out[k] = 'X'; /* Ｘ, ｘ */
			p += 3;
		} else if (strncmp(p, "\xef\xbc\x8a", 3) == 0) {
			out[k] = '*'; /* ＊: a mask typed with a Chinese input method */
			p += 3;
		} else {
			out[k] = *p++;
		}
	}
	out[k] = '\0';
	return out;
}

/* Parses and validates one row into d. Returns -1 if bad, with an issue for
 * every field found wrong (a field whose check needs another field that is
 * wrong is not checked), so that one pass over the file shows them all. */
static int parse_row(import_job *j, const colmap *m, const place_cache *pc, size_t row, row_data *d, int today,
		     int validate_only)
{
	const char *s;
	int ymd, failed = 0, id_bad = 0, sex_bad = 0, birth_bad = 0, village_bad = 0;

	memset(d, 0, sizeof(*d));
	for (int f = 0; f < F__COUNT; f++)
		d->has[f] = cell(j, m, row, f)[0] != '\0';
	wb_strlcpy(d->ch.county_code, j->county, sizeof(d->ch.county_code));
	s = cell(j, m, row, F_NAME);
	if (!s[0])
		failed = bad(j, row, m, F_NAME, "name is empty");
	else if (text_ok(j, row, m, F_NAME, FT_CHILD_NAME))
		failed = -1;
	else
		wb_strlcpy(d->ch.name, s, sizeof(d->ch.name));
	s = cell(j, m, row, F_ID);
	if (s[0]) {
		idnum id;
		enum idnum_error e;
		char whole[24], ascii[IMPORT_ID_ASCII];

		s = import_id_number_ascii(s, ascii);
		if (id_number_cell(j, m, row, &s, whole))
			id_bad = bad(j, row, m, F_ID, ID_AS_NUMBER);
		else if (strchr(s, '*'))
			id_bad = bad(j, row, m, F_ID, "the ID number is masked; import from a file with whole numbers");
		else if ((e = idnum_parse(s, today, &id)) != IDNUM_OK)
			id_bad = bad(j, row, m, F_ID, idnum_strerror(e));
		else {
			wb_strlcpy(d->idnum, id.number, sizeof(d->idnum));
			if (!validate_only) {
				sec_blind_index(j->keys, id.number, d->ch.id_bidx);
				idnum_mask(id.number, d->ch.id_mask);
			}
			d->ch.sex[0] = id.sex;
			wb_strlcpy(d->ch.birth_date, id.birth, sizeof(d->ch.birth_date));
		}
	}
	s = cell(j, m, row, F_SEX);
	if (s[0]) {
		char sex = strcmp(s, "男") == 0 || strcmp(s, "M") == 0   ? 'M'
			   : strcmp(s, "女") == 0 || strcmp(s, "F") == 0 ? 'F'
									 : 0;

		if (!sex)
			sex_bad = bad(j, row, m, F_SEX, "sex must be 男/女 or M/F");
		else if (d->ch.sex[0] && d->ch.sex[0] != sex)
			sex_bad = bad(j, row, m, F_SEX, "sex does not match the ID number");
		else
			d->ch.sex[0] = sex;
	}
	s = cell(j, m, row, F_BIRTH);
	if (s[0]) {
		char iso[11];

		if (import_list_date(s, &ymd, iso) != WB_OK)
			birth_bad = bad(j, row, m, F_BIRTH, BIRTH_FORMS);
		else if (ymd > today)
			birth_bad = bad(j, row, m, F_BIRTH, "birth_date is in the future");
		else if (d->ch.birth_date[0] && strcmp(d->ch.birth_date, iso) != 0)
			birth_bad = bad(j, row, m, F_BIRTH, "birth_date does not match the ID number");
		else
			wb_strlcpy(d->ch.birth_date, iso, sizeof(d->ch.birth_date));
	}
	/* a wrong ID number leaves sex and birth date unknown: said once */
	if (!d->ch.sex[0] && !id_bad && !sex_bad)
		failed = bad(j, row, m, F_SEX, "sex is required when there is no ID number");
	if (!d->ch.birth_date[0] && !id_bad && !birth_bad)
		failed = bad(j, row, m, F_BIRTH, "birth_date is required when there is no ID number");
	s = cell(j, m, row, F_VILLAGE);
	if (!area_level_of(s) || strcmp(area_level_of(s), "village") != 0 || !place_known(pc, s))
		village_bad = bad(j, row, m, F_VILLAGE, "not the code of a village or community of this county");
	else {
		wb_strlcpy(d->ch.village_code, s, sizeof(d->ch.village_code));
		if (!scope_covers_place(&j->scope, d->ch.village_code, NULL) && j->scope.children != SCOPE_GRID)
			village_bad = bad(j, row, m, F_VILLAGE, "the village is outside your area");
	}
	s = cell(j, m, row, F_GRID);
	if (s[0] && !village_bad) {
		if (strlen(s) != 15 || !area_within(s, d->ch.village_code) || !place_known(pc, s))
			village_bad = bad(j, row, m, F_GRID, "not a grid of the child's village");
		else
			wb_strlcpy(d->ch.grid_code, s, sizeof(d->ch.grid_code));
	} else if (!village_bad && j->scope.children == SCOPE_GRID && area_within(j->scope.grid, d->ch.village_code)) {
		/* as POST /children: a grid worker's child of the own village
		 * is in the own grid */
		wb_strlcpy(d->ch.grid_code, j->scope.grid, sizeof(d->ch.grid_code));
	}
	if (!village_bad && !scope_covers_place(&j->scope, d->ch.village_code, d->ch.grid_code)) {
		/* a grid worker's own village with another grid: the grid is wrong */
		if (s[0] && j->scope.children == SCOPE_GRID && area_within(j->scope.grid, d->ch.village_code))
			village_bad = bad(j, row, m, F_GRID, "the grid is outside your area");
		else
			village_bad = bad(j, row, m, F_VILLAGE, "the child's place is outside your area");
	}
	s = cell(j, m, row, F_HUKOU_TYPE);
	if (s[0]) {
		const char *t = strcmp(s, "农业") == 0 || strcmp(s, "农村") == 0 || strcmp(s, "rural") == 0 ? "rural"
				: strcmp(s, "非农业") == 0 || strcmp(s, "城镇") == 0 || strcmp(s, "urban") == 0
					? "urban"
					: NULL;

		if (!t)
			failed = bad(j, row, m, F_HUKOU_TYPE,
				     "household registration must be 农业/非农业 (rural/urban)");
		else
			wb_strlcpy(d->ch.hukou_type, t, sizeof(d->ch.hukou_type));
	}
	s = cell(j, m, row, F_HUKOU_AREA);
	if (s[0]) {
		const char *lvl = area_level_of(s);

		if (!lvl || strcmp(lvl, "grid") == 0)
			failed = bad(j, row, m, F_HUKOU_AREA, "must be a 6, 9 or 12-digit area code");
		else
			wb_strlcpy(d->ch.hukou_area_code, s, sizeof(d->ch.hukou_area_code));
	}
	s = cell(j, m, row, F_GRADE);
	if (text_ok(j, row, m, F_GRADE, FT_GRADE))
		failed = -1;
	else
		wb_strlcpy(d->ch.grade, s, sizeof(d->ch.grade));
	s = cell(j, m, row, F_SCHOOL);
	if (s[0] && !(d->ch.school_id = school_by_code(pc, s)))
		failed = bad(j, row, m, F_SCHOOL, "no school with this code in the county");
	s = cell(j, m, row, F_DIS_GRADE);
	if (s[0]) {
		long long g;

		if (wb_parse_int64(s, 0, 4, &g) != WB_OK && (g = disability_grade_word(s)) == 0)
			failed = bad(j, row, m, F_DIS_GRADE, DIS_GRADE_FORMS);
		else
			d->ch.disability_grade = (int)g;
	}
	s = cell(j, m, row, F_DIS_TYPE);
	if (s[0]) {
		/* the codes POST /children takes, or the form's words for them */
		const char *code = field_disability_code(s, 1);

		if (!code)
			failed = bad(j, row, m, F_DIS_TYPE, DISABILITY_TYPES);
		else
			wb_strlcpy(d->ch.disability_type, code, sizeof(d->ch.disability_type));
	}
	s = cell(j, m, row, F_ILLNESS);
	if (text_ok(j, row, m, F_ILLNESS, FT_ILLNESS))
		failed = -1;
	else
		wb_strlcpy(d->ch.serious_illness, strcmp(s, "否") == 0 || strcmp(s, "无") == 0 ? "" : s,
			   sizeof(d->ch.serious_illness));
	s = cell(j, m, row, F_POVERTY);
	if (s[0] && (d->ch.family_poverty = yes_no(s)) < 0) {
		d->ch.family_poverty = 0;
		failed = bad(j, row, m, F_POVERTY, "must be 是 or 否");
	}
	s = cell(j, m, row, F_ADOPTED);
	if (s[0] && (d->ch.adopted = yes_no(s)) < 0) {
		d->ch.adopted = 0;
		failed = bad(j, row, m, F_ADOPTED, "must be 是 or 否");
	}
	s = cell(j, m, row, F_RISK);
	if (s[0]) {
		const char *rl = strcmp(s, "低") == 0 || strcmp(s, "low") == 0      ? "low"
				 : strcmp(s, "中") == 0 || strcmp(s, "medium") == 0 ? "medium"
				 : strcmp(s, "高") == 0 || strcmp(s, "high") == 0   ? "high"
										    : NULL;

		if (!rl)
			failed = bad(j, row, m, F_RISK, "risk level must be 低/中/高 (low/medium/high)");
		else
			wb_strlcpy(d->ch.risk_level, rl, sizeof(d->ch.risk_level));
	}
	s = cell(j, m, row, F_NOTES);
	if (text_ok(j, row, m, F_NOTES, FT_NOTES))
		failed = -1;
	else
		wb_strlcpy(d->ch.notes, s, sizeof(d->ch.notes));
	if (parse_guardian(j, row, m, F_FA_NAME, F_FA_STATUS, F_FA_PHONE, F_FA_WORK, "father", d, validate_only))
		failed = -1;
	if (parse_guardian(j, row, m, F_MO_NAME, F_MO_STATUS, F_MO_PHONE, F_MO_WORK, "mother", d, validate_only))
		failed = -1;
	return failed || id_bad || sex_bad || birth_bad || village_bad ? -1 : 0;
}

/* ---- duplicates within the file: open addressing on the ID number ---- */

typedef struct seen_set {
	char (*keys)[19];
	uint32_t *rows;
	size_t cap;
} seen_set;

/* Returns the earlier row with this number, or 0 after remembering row. */
static uint32_t seen_check(seen_set *s, const char *key, uint32_t row)
{
	for (size_t i = (size_t)(wb_fnv1a(key) % s->cap);; i = (i + 1) % s->cap) {
		if (!s->keys[i][0]) {
			wb_strlcpy(s->keys[i], key, sizeof(s->keys[0]));
			s->rows[i] = row;
			return 0;
		}
		if (strcmp(s->keys[i], key) == 0)
			return s->rows[i];
	}
}

/* ---- matching and applying ---- */

/*
 * The county's registered children, loaded once per import so that matching
 * a row costs a hash lookup, not a query: by the blind index of the ID
 * number (key: its first 16 hex digits) and, for children recorded without
 * one, by name + birth date + village (key: a hash of the three). Children
 * the import creates are added as it goes. A hit is always confirmed
 * against the record it names; an ambiguous or unconfirmed key falls back
 * to a query.
 */
typedef struct id_map {
	uint64_t *keys;
	int64_t *ids;
	size_t cap;
} id_map;

static uint64_t bidx_key(const char *hex)
{
	uint64_t k = 0;

	for (int i = 0; i < 16 && hex[i]; i++)
		k = (k << 4) | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : (hex[i] | 0x20) - 'a' + 10);
	return k | 1; /* never 0: 0 marks an empty slot */
}

static uint64_t nid_key(const char *name, const char *birth, const char *village)
{
	const char *parts[3] = {name, birth, village};
	uint64_t h = WB_FNV_BASIS;

	for (int i = 0; i < 3; i++)
		h = (wb_fnv1a_from(h, parts[i]) ^ 0x1f) *
		    1099511628211ULL; /* separator: ("ab","c") is not ("a","bc") */
	return h | 1;
}

static int map_alloc(id_map *m, size_t n)
{
	m->cap = n * 2 + 1024;
	m->keys = calloc(m->cap, sizeof(*m->keys));
	m->ids = calloc(m->cap, sizeof(*m->ids));
	return m->keys && m->ids ? WB_OK : WB_ENOMEM;
}

static void map_free(id_map *m)
{
	free(m->keys);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

static void map_put(id_map *m, uint64_t k, int64_t id)
{
	for (size_t i = (size_t)(k % m->cap), probes = 0; probes < m->cap; i = (i + 1) % m->cap, probes++) {
		if (!m->keys[i]) {
			m->keys[i] = k;
			m->ids[i] = id;
			return;
		}
		if (m->keys[i] == k) {
			if (m->ids[i] != id)
				m->ids[i] = -1; /* ambiguous: a query decides */
			return;
		}
	}
}

/* 0 if surely absent, -1 if a query must decide, else the child's id. */
static int64_t map_get(const id_map *m, uint64_t k)
{
	if (!m->cap)
		return -1;
	for (size_t i = (size_t)(k % m->cap), probes = 0; probes < m->cap; i = (i + 1) % m->cap, probes++) {
		if (!m->keys[i])
			return 0;
		if (m->keys[i] == k)
			return m->ids[i];
	}
	return -1;
}

typedef struct reg_maps {
	id_map bidx;        /* children with an ID number */
	id_map nid;         /* every child, by name, birth date and village */
	int64_t registered; /* the county's children before the import */
} reg_maps;

/* Loads the county's children into the maps, with room for `extra` more. */
static int maps_load(store_conn *c, const char *county, size_t extra, reg_maps *rm)
{
	store_stmt *st = NULL;
	int64_t n = 0;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM children WHERE county_code = ?", "s", county);

	if (rc == STORE_ROW)
		n = stmt_int64(c, st, 0);
	stmt_reset(c, st);
	if (rc < 0)
		return rc;
	rm->registered = n;
	if (map_alloc(&rm->bidx, (size_t)n + extra) != WB_OK || map_alloc(&rm->nid, (size_t)n + extra) != WB_OK)
		return WB_ENOMEM;
	rc = conn_prepare(c,
			  "SELECT id, COALESCE(id_bidx, ''), name, COALESCE(birth_date, ''), village_code FROM "
			  "children WHERE county_code = ?",
			  &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, county);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *bidx = stmt_text(c, st, 1);

		if (bidx && bidx[0])
			map_put(&rm->bidx, bidx_key(bidx), stmt_int64(c, st, 0));
		/* every child, with an ID number or not: a row without one is
		 * matched by name, birth date and village */
		map_put(&rm->nid,
			nid_key(stmt_text(c, st, 2) ?: "", stmt_text(c, st, 3) ?: "", stmt_text(c, st, 4) ?: ""),
			stmt_int64(c, st, 0));
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* Remembers a child the import created. */
static void maps_add(reg_maps *rm, const child_rec *ch)
{
	if (ch->id_bidx[0])
		map_put(&rm->bidx, bidx_key(ch->id_bidx), ch->id);
	map_put(&rm->nid, nid_key(ch->name, ch->birth_date, ch->village_code), ch->id);
}

/* The identity of a child without an ID number: name, birth date, village. */
static int same_person(const child_rec *a, const child_rec *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->birth_date, b->birth_date) == 0 &&
	       strcmp(a->village_code, b->village_code) == 0;
}

/* The record matches the row's identity (the map's hit was not a
 * collision); a row without an ID number is the child of its name, birth
 * date and village, registered with a number or without. */
static int same_child(const row_data *d, const child_rec *rec)
{
	if (d->idnum[0])
		return strcmp(rec->id_bidx, d->ch.id_bidx) == 0;
	return same_person(&d->ch, rec);
}

/* The query of the children of a row's name, birth date and village (the
 * first live one, else the first archived one, and how many are live);
 * for a row with an ID number only those registered without one. */
#define SAME_PERSON_SQL                                                                    \
	"SELECT COALESCE(MIN(CASE WHEN archived_at IS NULL THEN id END), MIN(id), 0), "    \
	"COALESCE(SUM(CASE WHEN archived_at IS NULL THEN 1 ELSE 0 END), 0) FROM children " \
	"WHERE county_code = ? AND name = ? AND birth_date = ? AND village_code = ?"
#define WITHOUT_NUMBER_SQL " AND COALESCE(id_bidx, '') = ''"

/*
 * The records of the registered children that the next rows match, read a
 * window at a time: one query for the children, one for their guardians,
 * instead of two per row (a round trip each on PostgreSQL). The ids come
 * from the maps and each row's map key, computed in the first pass; a row
 * whose child the window lacks (created by this import, or an ambiguous
 * key) reads it as before. A child that a row may have written is dropped
 * from the window, so a later row of the same child reads it again.
 */
#define PREFETCH_MAX  512
#define PREFETCH_SCAN (PREFETCH_MAX * 8) /* rows looked at ahead for one window */

typedef struct pf_entry {
	int64_t id;
	int state; /* 0: not found (or dropped), 1: record and guardians here */
	int g0, ng;
	child_rec ch;
} pf_entry;

typedef struct prefetch {
	pf_entry e[PREFETCH_MAX]; /* by id */
	int n;
	guardian_rec g[PREFETCH_MAX * GUARDIANS_MAX];
	int64_t gchild[PREFETCH_MAX * GUARDIANS_MAX];
	child_rec tmp[PREFETCH_MAX];
	int64_t ids[PREFETCH_MAX];
	const uint64_t *keys; /* each row's map key, 0 for a row not to apply */
	const uint8_t *ok;    /* ROW_ID: the key is for the map of ID numbers */
	size_t nrows;
} prefetch;

enum { ROW_NOID = 1, ROW_ID = 2 };

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static pf_entry *pf_find(prefetch *pf, int64_t id)
{
	int lo = 0, hi = pf->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (pf->e[mid].id == id)
			return &pf->e[mid];
		if (pf->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Reads the window of children matched by the rows from row on. */
static int pf_fill(store_conn *c, const import_job *j, const reg_maps *rm, prefetch *pf, size_t row)
{
	int n = 0, k = 0, ng = 0, rc;

	for (size_t r = row; r < pf->nrows && r < row + PREFETCH_SCAN && n < PREFETCH_MAX; r++) {
		int64_t id;

		if (!pf->ok[r])
			continue;
		id = map_get(pf->ok[r] == ROW_ID ? &rm->bidx : &rm->nid, pf->keys[r]);
		if (id > 0)
			pf->ids[n++] = id;
	}
	qsort(pf->ids, (size_t)n, sizeof(pf->ids[0]), cmp_id);
	pf->n = 0;
	for (int i = 0; i < n; i++)
		if (!pf->n || pf->e[pf->n - 1].id != pf->ids[i]) {
			memset(&pf->e[pf->n], 0, offsetof(pf_entry, ch));
			pf->e[pf->n].id = pf->ids[i];
			pf->ids[pf->n++] = pf->ids[i];
		}
	rc = store_children_get_many(c, j->county, pf->ids, pf->n, pf->tmp, &k);
	if (rc == WB_OK)
		rc = store_guardians_load_many(c, pf->ids, pf->n, GUARDIANS_MAX, pf->g, pf->gchild,
					       (int)WB_ARRAY_LEN(pf->g), &ng);
	if (rc != WB_OK) {
		pf->n = 0;
		return rc;
	}
	for (int i = 0; i < k; i++) {
		pf_entry *e = pf_find(pf, pf->tmp[i].id);

		if (e) {
			e->ch = pf->tmp[i];
			e->state = 1;
		}
	}
	for (int i = 0; i < ng; i++) {
		pf_entry *e = pf_find(pf, pf->gchild[i]);

		if (e && !e->ng++)
			e->g0 = i;
	}
	return WB_OK;
}

/* The record of child id (county scope) and its guardians (g, *ng): from
 * the window, read for the rows from row on if id is not in it; else the
 * record by the query of one child, and *ng = -1 (guardians not read). */
static int pf_get(store_conn *c, const import_job *j, const reg_maps *rm, prefetch *pf, size_t row, int64_t id,
		  child_rec *out, guardian_rec *g, int *ng)
{
	store_scope county;
	pf_entry *e = pf ? pf_find(pf, id) : NULL;
	int rc;

	if (pf && !e) {
		rc = pf_fill(c, j, rm, pf, row);
		if (rc != WB_OK)
			return rc;
		e = pf_find(pf, id);
	}
	if (e && e->state == 1) {
		*out = e->ch;
		memcpy(g, &pf->g[e->g0], sizeof(*g) * (size_t)e->ng);
		*ng = e->ng;
		return WB_OK;
	}
	store_scope_county(&county, j->county);
	*ng = -1;
	return store_child_get(c, &county, id, out);
}

/* Drops child id from the window (a row may have written it). */
static void pf_drop(prefetch *pf, int64_t id)
{
	pf_entry *e = pf ? pf_find(pf, id) : NULL;

	if (e)
		e->state = 0;
}

/*
 * Whether the rows that match nobody (new children) are many and at least
 * as many as the children registered: then building the children's
 * indexes again after the load costs less than inserting into them row by
 * row (measured on the demo file: 0.65 s for the six indexes of 150,000
 * children, against 1.5 s of inserts).
 */
static int large_load(const reg_maps *rm, const prefetch *pf)
{
	int64_t fresh = 0;

	for (size_t r = 1; r < pf->nrows; r++)
		if (pf->ok[r] && map_get(pf->ok[r] == ROW_ID ? &rm->bidx : &rm->nid, pf->keys[r]) == 0)
			fresh++;
	return fresh >= STORE_CHILDREN_LOAD_MIN && fresh >= rm->registered;
}

/*
 * The registered child of row's data d (and with it, from the window, its
 * guardians in g, *ng; else *ng = -1: not read). Without an ID number the
 * live child of the row's name, birth date and village, an archived one
 * only when no live one has them (and then refused); WB_EINVAL with their
 * count in *live_out when two or more live children have them: which one
 * the row means is not guessed. With an ID number the child registered
 * with it, else the same among the children registered without one (the
 * row's number is then filled in, apply_existing).
 */
static int find_existing(store_conn *c, const import_job *j, const reg_maps *rm, prefetch *pf, size_t row,
			 const row_data *d, child_rec *out, guardian_rec *g, int *ng, int *live_out)
{
	store_scope county;
	store_stmt *st = NULL;
	int64_t id = d->idnum[0] ? map_get(&rm->bidx, bidx_key(d->ch.id_bidx))
				 : map_get(&rm->nid, nid_key(d->ch.name, d->ch.birth_date, d->ch.village_code));
	int64_t live = 0, id_map_said = id;
	int rc;

	*ng = -1;
	*live_out = 0;
	if (id == 0 && !d->idnum[0])
		return WB_ENOTFOUND;
	store_scope_county(&county, j->county);
	if (id > 0) {
		rc = pf_get(c, j, rm, pf, row, id, out, g, ng);
		if (rc == WB_OK && same_child(d, out))
			return WB_OK;
		*ng = -1;
		if (rc != WB_OK && rc != WB_ENOTFOUND)
			return rc;
	}
	id = 0;
	if (d->idnum[0] && id_map_said != 0) {
		rc = conn_query(c, &st, "SELECT id FROM children WHERE county_code = ? AND id_bidx = ?", "ss",
				j->county, d->ch.id_bidx);
		if (rc == STORE_ROW)
			id = stmt_int64(c, st, 0);
		stmt_reset(c, st);
		if (rc < 0)
			return rc;
	}
	/* without an ID number: the children of the row's name, birth date and
	 * village whether the registry has their number or not (a list without
	 * numbers registered every child it named again); with one the registry
	 * does not have: the child of them registered without a number (a
	 * newborn, whose number the list now gives: it registered the child a
	 * second time), unless no child at all has them (the map of every
	 * child's name, birth date and village says so without a query) */
	if (!id && (!d->idnum[0] || map_get(&rm->nid, nid_key(d->ch.name, d->ch.birth_date, d->ch.village_code)))) {
		rc = conn_query(c, &st, d->idnum[0] ? SAME_PERSON_SQL WITHOUT_NUMBER_SQL : SAME_PERSON_SQL, "ssss",
				j->county, d->ch.name, d->ch.birth_date, d->ch.village_code);
		if (rc == STORE_ROW) {
			id = stmt_int64(c, st, 0);
			live = stmt_int64(c, st, 1);
		}
		stmt_reset(c, st);
		if (rc < 0)
			return rc;
	}
	if (live >= 2) {
		*live_out = live > 9999 ? 9999 : (int)live;
		return WB_EINVAL;
	}
	if (!id)
		return WB_ENOTFOUND;
	county.with_archived = 1; /* an archived child is found, and refused (apply_existing) */
	return store_child_get(c, &county, id, out);
}

/* The bytes of a value a conflict's reason shows (more are cut, with …). */
#define SHOWN_MAX 60

/* s as a conflict shows it: at most SHOWN_MAX bytes, cut at a whole UTF-8
 * character and ended with … when cut (a cut in the middle of a character
 * made the reason no UTF-8: it left the answer's issues, and PostgreSQL
 * refused the whole report). out holds SHOWN_MAX + 4 bytes. */
static const char *shown(char out[SHOWN_MAX + 4], const char *s)
{
	if (strlen(s) <= SHOWN_MAX)
		return s;
	wb_strlcpy_utf8(out, s, SHOWN_MAX + 1);
	memcpy(out + strlen(out), "\xe2\x80\xa6", 4); /* …, and the end */
	return out;
}

/* Fills an empty text field from the file, or reports a different value. */
static int merge_text(import_job *j, uint32_t line, const char *column, char *dst, size_t n, const char *src, int given,
		      int *changed)
{
	char msg[200], had[SHOWN_MAX + 4], has[SHOWN_MAX + 4];

	if (!given || strcmp(dst, src) == 0)
		return 0;
	if (!dst[0]) {
		wb_strlcpy(dst, src, n);
		(*changed)++;
		return 0;
	}
	wb_snprintf(msg, sizeof(msg), "the registry has '%s', the file has '%s'; kept the registry's", shown(had, dst),
		    shown(has, src));
	issue(j, line, column, "conflict", msg);
	return 1;
}

/* merge_text for a coded value (rural, high): the conflict names the field,
 * so that the report can say the code's word (农业, 高). */
static int merge_code(import_job *j, uint32_t line, const char *column, const char *what, char *dst, size_t n,
		      const char *src, int given, int *changed)
{
	char msg[200];

	if (!given || strcmp(dst, src) == 0 || !dst[0])
		return merge_text(j, line, column, dst, n, src, given, changed);
	wb_snprintf(msg, sizeof(msg), "the registry has %s '%.30s', the file has '%.30s'; kept the registry's", what,
		    dst, src);
	issue(j, line, column, "conflict", msg);
	return 1;
}

/* Phone numbers as the same number: digits compared, separators not. */
static int same_phone(const char *a, const char *b)
{
	for (;;) {
		while (*a && (*a < '0' || *a > '9'))
			a++;
		while (*b && (*b < '0' || *b > '9'))
			b++;
		if (*a != *b)
			return 0;
		if (!*a)
			return 1;
		a++;
		b++;
	}
}

/* A yes-or-no fact (family poverty, adopted): a registry's no is filled
 * in; a different value is a conflict naming the field, its values as
 * words (yes, no: 是, 否 in the report and on the page), not as 1 and 0. */
static int merge_yes_no(import_job *j, uint32_t line, const char *column, const char *what, int *dst, int src,
			int given, int *changed)
{
	char msg[200];

	if (!given || !*dst == !src)
		return 0;
	if (!*dst) {
		*dst = 1;
		(*changed)++;
		return 0;
	}
	wb_snprintf(msg, sizeof(msg), "the registry has %s '%s', the file has '%s'; kept the registry's", what,
		    *dst ? "yes" : "no", src ? "yes" : "no");
	issue(j, line, column, "conflict", msg);
	return 1;
}

static int merge_int(import_job *j, uint32_t line, const char *column, int *dst, int src, int given, int *changed)
{
	char msg[200];

	if (!given || *dst == src)
		return 0;
	if (*dst == 0) {
		*dst = src;
		(*changed)++;
		return 0;
	}
	wb_snprintf(msg, sizeof(msg), "the registry has %d, the file has %d; kept the registry's", *dst, src);
	issue(j, line, column, "conflict", msg);
	return 1;
}

/* Completes a row that creates a child: the encrypted ID number, defaults. */
static int prepare_new(const import_job *j, row_data *d, int64_t now)
{
	if (d->idnum[0] && sec_encrypt_field(j->keys, d->idnum, d->ch.id_enc) != WB_OK)
		return WB_ECRYPTO;
	if (!d->ch.risk_level[0])
		wb_strlcpy(d->ch.risk_level, "low", sizeof(d->ch.risk_level));
	d->ch.created_at = d->ch.updated_at = now;
	d->ch.created_by = d->ch.updated_by = j->user_id;
	return WB_OK;
}

/* Categories follow only from these facts: a child without any has none. */
static int may_have_category(const row_data *d)
{
	return d->ng || d->ch.family_poverty || d->ch.disability_grade || d->ch.serious_illness[0];
}

/* Creates the child of a prepared row (prepare_new) on its own. */
static int apply_new(store_conn *c, import_job *j, reg_maps *map, row_data *d, int64_t now, int today)
{
	child_facts f;
	int rc = store_child_insert(c, &d->ch);

	if (rc == WB_OK && d->ng)
		rc = store_guardians_insert(c, j->county, d->ch.id, d->g, d->ng, now);
	registry_facts(&d->ch, d->g, d->ng, &f);
	if (rc == WB_OK && may_have_category(d))
		rc = registry_recompute(c, j->county, d->ch.id, NULL, &f, today, now, NULL);
	if (rc == WB_OK) {
		maps_add(map, &d->ch);
		j->created++;
	}
	return rc;
}

/* Whether a row may change the registered child old: not if the child
 * is outside the caller's area or archived (-1 after the issue). */
static int may_change(import_job *j, const colmap *m, size_t row, const row_data *d, const child_rec *old)
{
	uint32_t line = j->t.rows[row].line;

	if (!scope_covers_place(&j->scope, old->village_code, old->grid_code)) {
		if (j->outside < IMPORT_OUTSIDE_IDS)
			j->outside_ids[j->outside] = old->id;
		j->outside++;
		issue(j, line, header(j, m, F_ID), "error", "this child is registered in a village outside your area");
		return -1;
	}
	if (old->archived_at) {
		/* nothing of the archived record is shown: the caller cannot open it */
		issue(j, line, header(j, m, d->idnum[0] ? F_ID : F_NAME), "error",
		      "this child's record is archived: the township station or the centre must restore it before an "
		      "import can change it");
		return -1;
	}
	return 0;
}

/* A guardian of the row without a status whom the registry does not have
 * (eg, neg: the child's registered guardians): an error on the status
 * column, -1. One the registry has keeps its status. */
static int guardian_needs_status(import_job *j, const colmap *m, size_t row, const row_data *d, const guardian_rec *eg,
				 int neg)
{
	int failed = 0;

	for (int i = 0; i < d->ng; i++) {
		int father = strcmp(d->g[i].relation, "father") == 0, k = 0;

		if (d->g[i].status[0])
			continue;
		while (k < neg && strcmp(eg[k].relation, d->g[i].relation) != 0)
			k++;
		if (k == neg) {
			int f = father ? F_FA_STATUS : F_MO_STATUS;
			const char *zh = import_field_header(field_names[f]);

			/* the file may have no status column: named as a header would */
			issue(j, j->t.rows[row].line, m->col[f] >= 0 || !zh ? header(j, m, f) : zh, "error",
			      "a guardian needs a status");
			failed = -1;
		}
	}
	return failed;
}

/* guardian_needs_status for a row of the registered child old (NULL: a
 * new child), its guardians read into eg, *neg when not read yet (< 0):
 * WB_EINVAL after the issue, WB_OK, or a store error. */
static int guardians_lack_status(store_conn *c, import_job *j, const colmap *m, size_t row, const row_data *d,
				 const child_rec *old, guardian_rec *eg, int *neg)
{
	int need = 0, rc;

	for (int i = 0; i < d->ng; i++)
		need |= !d->g[i].status[0];
	if (!need)
		return WB_OK;
	if (!old)
		return guardian_needs_status(j, m, row, d, NULL, 0) ? WB_EINVAL : WB_OK;
	if (*neg < 0 && (rc = store_guardians_load(c, old->id, eg, GUARDIANS_MAX, neg)) != WB_OK)
		return rc;
	return guardian_needs_status(j, m, row, d, eg, *neg) ? WB_EINVAL : WB_OK;
}

/* guardians_lack_status while the file is checked (pass 1), before the
 * registry is matched: the child the row names (by ID number, or name,
 * birth date and village) and its guardians are read here, for the rare
 * row that gives a guardian without a status, so that the check is
 * reported with the file's other errors. */
static int guardians_lack_status_early(store_conn *c, import_job *j, const colmap *m, size_t row, const row_data *d)
{
	store_stmt *st = NULL;
	guardian_rec eg[GUARDIANS_MAX];
	char bidx[SEC_HASH_HEX];
	int need = 0, neg = 0, rc;
	int64_t id = 0;

	for (int i = 0; i < d->ng; i++)
		need |= !d->g[i].status[0];
	if (!need)
		return WB_OK;
	if (d->idnum[0]) {
		sec_blind_index(j->keys, d->idnum, bidx);
		rc = conn_query(c, &st, "SELECT id FROM children WHERE county_code = ? AND id_bidx = ?", "ss",
				j->county, bidx);
		if (rc == STORE_ROW)
			id = stmt_int64(c, st, 0);
		stmt_reset(c, st);
		if (rc < 0)
			return rc;
	}
	if (!id) {
		/* as find_existing: with a number the registry lacks, the child
		 * of the row's name, birth date and village registered without one */
		rc = conn_query(c, &st, d->idnum[0] ? SAME_PERSON_SQL WITHOUT_NUMBER_SQL : SAME_PERSON_SQL, "ssss",
				j->county, d->ch.name, d->ch.birth_date, d->ch.village_code);
		if (rc == STORE_ROW)
			id = stmt_int64(c, st, 0);
		stmt_reset(c, st);
		if (rc < 0)
			return rc;
	}
	if (id && (rc = store_guardians_load(c, id, eg, GUARDIANS_MAX, &neg)) != WB_OK)
		return rc;
	return guardian_needs_status(j, m, row, d, eg, neg) ? WB_EINVAL : WB_OK;
}

/* Reconciles a row with the registered child old (may_change said yes):
 * fills in, or reports. */
static int apply_existing(store_conn *c, import_job *j, const colmap *m, size_t row, row_data *d, const child_rec *oldp,
			  const guardian_rec *eg_read, int neg_read, int64_t now, int today)
{
	uint32_t line = j->t.rows[row].line;
	child_rec old = *oldp;
	guardian_rec eg[GUARDIANS_MAX];
	int neg = 0, changed = 0, rc = WB_OK;
	/* a child registered without an ID number (find_existing matched it by
	 * name, birth date and village) gets the row's */
	int number_in = d->idnum[0] && !old.id_bidx[0];

	if (number_in && strcmp(old.sex, d->ch.sex) != 0) {
		/* of the other sex: not this number's child; nothing of the row is
		 * taken, and no child is registered twice */
		issue(j, line, header(j, m, F_ID), "conflict", "sex does not match the ID number");
		j->unchanged++;
		return WB_OK;
	}
	{
		child_rec upd = old;
		guardian_rec merged[GUARDIANS_MAX];
		int conflict = 0, nm = 0, gchanged = 0;

		if (number_in) {
			if (sec_encrypt_field(j->keys, d->idnum, upd.id_enc) != WB_OK)
				return WB_ECRYPTO;
			wb_strlcpy(upd.id_bidx, d->ch.id_bidx, sizeof(upd.id_bidx));
			wb_strlcpy(upd.id_mask, d->ch.id_mask, sizeof(upd.id_mask));
			changed++;
		}

		conflict |=
			merge_text(j, line, header(j, m, F_NAME), upd.name, sizeof(upd.name), d->ch.name, 1, &changed);
		conflict |= merge_text(j, line, header(j, m, F_VILLAGE), upd.village_code, sizeof(upd.village_code),
				       d->ch.village_code, 1, &changed);
		conflict |= merge_text(j, line, header(j, m, F_GRID), upd.grid_code, sizeof(upd.grid_code),
				       d->ch.grid_code, d->has[F_GRID], &changed);
		conflict |= merge_code(j, line, header(j, m, F_HUKOU_TYPE), "household registration", upd.hukou_type,
				       sizeof(upd.hukou_type), d->ch.hukou_type, d->has[F_HUKOU_TYPE], &changed);
		conflict |=
			merge_text(j, line, header(j, m, F_HUKOU_AREA), upd.hukou_area_code,
				   sizeof(upd.hukou_area_code), d->ch.hukou_area_code, d->has[F_HUKOU_AREA], &changed);
		conflict |= merge_text(j, line, header(j, m, F_GRADE), upd.grade, sizeof(upd.grade), d->ch.grade,
				       d->has[F_GRADE], &changed);
		conflict |=
			merge_text(j, line, header(j, m, F_DIS_TYPE), upd.disability_type, sizeof(upd.disability_type),
				   d->ch.disability_type, d->has[F_DIS_TYPE], &changed);
		conflict |= merge_text(j, line, header(j, m, F_ILLNESS), upd.serious_illness,
				       sizeof(upd.serious_illness), d->ch.serious_illness, d->has[F_ILLNESS], &changed);
		conflict |= merge_text(j, line, header(j, m, F_NOTES), upd.notes, sizeof(upd.notes), d->ch.notes,
				       d->has[F_NOTES], &changed);
		conflict |= merge_int(j, line, header(j, m, F_DIS_GRADE), &upd.disability_grade, d->ch.disability_grade,
				      d->has[F_DIS_GRADE], &changed);
		conflict |= merge_yes_no(j, line, header(j, m, F_POVERTY), "family poverty", &upd.family_poverty,
					 d->ch.family_poverty, d->has[F_POVERTY], &changed);
		conflict |= merge_yes_no(j, line, header(j, m, F_ADOPTED), "adopted", &upd.adopted, d->ch.adopted,
					 d->has[F_ADOPTED], &changed);
		if (d->has[F_RISK] && strcmp(upd.risk_level, d->ch.risk_level) != 0) {
			/* "low" is the default, so a stored low is filled in */
			if (strcmp(upd.risk_level, "low") == 0) {
				wb_strlcpy(upd.risk_level, d->ch.risk_level, sizeof(upd.risk_level));
				changed++;
			} else {
				conflict |= merge_code(j, line, header(j, m, F_RISK), "risk level", upd.risk_level,
						       sizeof(upd.risk_level), d->ch.risk_level, 1, &changed);
			}
		}
		if (d->has[F_SCHOOL] && upd.school_id != d->ch.school_id) {
			if (!upd.school_id) {
				upd.school_id = d->ch.school_id;
				changed++;
			} else {
				issue(j, line, header(j, m, F_SCHOOL), "conflict",
				      "the registry has another school; kept the registry's");
				conflict = 1;
			}
		}
		if (!d->idnum[0] && (strcmp(old.sex, d->ch.sex) != 0))
			conflict |= merge_text(j, line, header(j, m, F_SEX), upd.sex, sizeof(upd.sex), d->ch.sex, 1,
					       &changed);
		if (neg_read >= 0) {
			neg = neg_read;
			memcpy(eg, eg_read, sizeof(eg[0]) * (size_t)neg);
		} else {
			rc = store_guardians_load(c, old.id, eg, GUARDIANS_MAX, &neg);
			if (rc)
				return rc;
		}
		{
			/* guardians: a relation the registry lacks is added, empty
			 * facts of a known one are filled in, a different status,
			 * name, phone or work place is a conflict (the registry's is
			 * kept) */
			memcpy(merged, eg, sizeof(guardian_rec) * (size_t)neg);
			nm = neg;
			for (int i = 0; i < d->ng; i++) {
				const guardian_rec *fg = &d->g[i];
				int father = strcmp(fg->relation, "father") == 0, k = 0;
				int fname = father ? F_FA_NAME : F_MO_NAME, fphone = father ? F_FA_PHONE : F_MO_PHONE;
				int fwork = father ? F_FA_WORK : F_MO_WORK;
				guardian_rec *g;

				while (k < nm && strcmp(merged[k].relation, fg->relation) != 0)
					k++;
				if (k == nm) {
					if (nm < GUARDIANS_MAX) {
						merged[nm++] = *fg;
						gchanged = 1;
					}
					continue;
				}
				g = &merged[k];
				if (fg->status[0] && strcmp(g->status, fg->status) != 0) {
					char msg[200];

					wb_snprintf(msg, sizeof(msg),
						    "the registry has %s status '%s', the file has '%s'; kept the "
						    "registry's",
						    fg->relation, g->status, fg->status);
					issue(j, line, header(j, m, father ? F_FA_STATUS : F_MO_STATUS), "conflict",
					      msg);
					conflict = 1;
				}
				/* a name the importer wrote for a guardian without one
				 * ("父亲") is no one's recorded fact: filled in */
				if (d->has[fname] && strcmp(g->name, father ? "父亲" : "母亲") == 0 &&
				    strcmp(g->name, fg->name) != 0) {
					wb_strlcpy(g->name, fg->name, sizeof(g->name));
					gchanged = 1;
				} else {
					conflict |= merge_text(j, line, header(j, m, fname), g->name, sizeof(g->name),
							       fg->name, d->has[fname], &gchanged);
				}
				if (!g->phone_enc[0] && fg->phone_enc[0]) {
					wb_strlcpy(g->phone_enc, fg->phone_enc, sizeof(g->phone_enc));
					wb_strlcpy(g->phone_mask, fg->phone_mask, sizeof(g->phone_mask));
					gchanged = 1;
				} else if (g->phone_enc[0] && fg->phone_enc[0]) {
					char had[64];

					if (sec_decrypt_field(j->keys, g->phone_enc, had, sizeof(had)) != WB_OK)
						return WB_ECRYPTO;
					if (!same_phone(had, cell(j, m, row, fphone))) {
						char msg[200];

						/* masked: the report is read by more than may see a phone */
						wb_snprintf(
							msg, sizeof(msg),
							"the registry has '%s', the file has '%s'; kept the registry's",
							g->phone_mask, fg->phone_mask);
						issue(j, line, header(j, m, fphone), "conflict", msg);
						conflict = 1;
					}
				}
				conflict |=
					merge_text(j, line, header(j, m, fwork), g->work_place, sizeof(g->work_place),
						   fg->work_place, fg->work_place[0] != '\0', &gchanged);
			}
			if (gchanged) {
				rc = neg ? store_guardians_replace(c, j->county, old.id, merged, nm, now)
					 : store_guardians_insert(c, j->county, old.id, merged, nm, now);
				changed++;
			}
		}
		if (rc)
			return rc;
		if (changed) {
			child_facts fb, fn;
			guardian_rec ng[GUARDIANS_MAX];
			int nng = 0;

			upd.updated_at = now;
			upd.updated_by = j->user_id;
			rc = store_child_update(c, &j->scope, &upd, old.version);
			if (rc == WB_OK)
				rc = store_child_change_add(c, j->county, old.id, now, j->user_id, "import", NULL,
							    j->file_name);
			/* and what it filled in, as any other change is read */
			if (rc == WB_OK)
				rc = registry_record_changes(c, j->county, old.id, now, j->user_id, &old, &upd);
			/* the number filled in, as a PATCH records it (the masks) */
			if (rc == WB_OK && number_in)
				rc = store_child_change_add(c, j->county, old.id, now, j->user_id, "id_number", NULL,
							    upd.id_mask);
			/* and the guardians it added or filled in, as a PATCH records them */
			if (rc == WB_OK && gchanged)
				rc = registry_record_guardian_changes(c, j->county, old.id, now, j->user_id, eg, neg,
								      merged, nm);
			if (rc == WB_OK)
				rc = store_guardians_load(c, old.id, ng, GUARDIANS_MAX, &nng);
			registry_facts(&old, eg, neg, &fb);
			registry_facts(&upd, ng, nng, &fn);
			if (rc == WB_OK)
				rc = registry_recompute(c, j->county, old.id, &fb, &fn, today, now, NULL);
			/* a grid filled in: the child's open requests go to that
			 * grid's worker, as an edit of the child sends them (an
			 * import never changes the village, so nobody is told) */
			if (rc == WB_OK && strcmp(old.grid_code, upd.grid_code) != 0)
				rc = loop_child_moved(c, old.id, upd.village_code, upd.grid_code, j->user_id, "", now,
						      NULL, NULL);
			if (rc == WB_OK)
				j->updated++;
		} else {
			/* the registry is as it was, conflicts or not (they are
			 * reported): every row is created, updated, unchanged,
			 * skipped or in error */
			j->unchanged++;
		}
		(void)conflict;
	}
	return rc;
}

/*
 * Applies one row (to the registered child old, with its guardians eg, neg
 * if read (neg >= 0), or a new child when old is NULL); in row-by-row mode
 * inside its own savepoint, so that a failure leaves nothing of it. A
 * duplicate ID number is reported on the row.
 */
static int apply_one(store_conn *c, import_job *j, reg_maps *map, const colmap *m, size_t row, row_data *d,
		     const child_rec *old, const guardian_rec *eg, int neg, int64_t now, int today)
{
	int rr, rc = WB_OK;

	if (j->row_by_row && (rc = conn_exec(c, "SAVEPOINT wbrow")) != WB_OK)
		return rc;
	rr = old ? apply_existing(c, j, m, row, d, old, eg, neg, now, today) : apply_new(c, j, map, d, now, today);
	if (j->row_by_row) {
		rc = conn_exec(c, rr == WB_OK ? "RELEASE SAVEPOINT wbrow"
					      : "ROLLBACK TO SAVEPOINT wbrow; RELEASE SAVEPOINT wbrow");
		if (rr != WB_OK && rr != WB_EINVAL && rr != WB_ECONFLICT)
			rc = rr;
	} else {
		rc = rr;
	}
	if (rr == WB_ECONFLICT)
		issue(j, j->t.rows[row].line, header(j, m, F_ID), "error",
		      "conflicts with another record (duplicate ID number)");
	return rc;
}

/*
 * New children wait in a batch and are written together: multi-row
 * INSERTs of the children (ids come back by RETURNING), their name index
 * and their guardians. A row that matches a waiting one (same name, birth
 * date and village, and one of the two without an ID number) first writes
 * the batch, so that it reconciles with that child as if the rows had been
 * applied one by one.
 */
#define BATCH_MAX 1024

typedef struct batch {
	row_data d[BATCH_MAX + 1]; /* [n] is where the next row is parsed */
	size_t row[BATCH_MAX];
	int n;
	store_grams *grams; /* a large load: the name index is written at its end */
} batch;

static int batch_holds(const batch *b, const row_data *d)
{
	for (int i = 0; i < b->n; i++)
		if ((!d->idnum[0] || !b->d[i].idnum[0]) && same_person(&b->d[i].ch, &d->ch))
			return 1;
	return 0;
}

static int batch_write(store_conn *c, import_job *j, batch *b, int64_t now, int today)
{
	child_rec *chs[BATCH_MAX];
	int64_t ids[BATCH_MAX];
	const guardian_rec *gs[BATCH_MAX];
	int ngs[BATCH_MAX], any_g = 0, rc;

	for (int i = 0; i < b->n; i++)
		chs[i] = &b->d[i].ch;
	rc = store_children_insert_rows(c, chs, b->n, b->grams);
	for (int i = 0; rc == WB_OK && i < b->n; i++) {
		ids[i] = b->d[i].ch.id;
		gs[i] = b->d[i].g;
		ngs[i] = b->d[i].ng;
		any_g |= b->d[i].ng;
	}
	if (rc == WB_OK && any_g)
		rc = store_guardians_insert_many(c, j->county, ids, gs, ngs, b->n, now);
	for (int i = 0; rc == WB_OK && i < b->n; i++) {
		const row_data *d = &b->d[i];
		child_facts f;

		if (!may_have_category(d))
			continue;
		registry_facts(&d->ch, d->g, d->ng, &f);
		rc = registry_recompute(c, j->county, d->ch.id, NULL, &f, today, now, NULL);
	}
	return rc;
}

/*
 * A batch that failed without a savepoint (bulk mode): the failed
 * statement was undone by SQLite, the rows before it stay until the whole
 * import is rolled back. Names every waiting row whose ID number another
 * record holds; the import fails either way.
 */
static int batch_blame(store_conn *c, import_job *j, const colmap *m, const batch *b)
{
	int named = 0;

	for (int i = 0; i < b->n; i++) {
		const row_data *d = &b->d[i];
		store_stmt *st = NULL;
		int rc;

		if (d->ch.id || !d->idnum[0])
			continue; /* written before the failure, or no ID number to clash */
		rc = conn_query(c, &st, "SELECT id FROM children WHERE county_code = ? AND id_bidx = ?", "ss",
				j->county, d->ch.id_bidx);
		stmt_reset(c, st);
		if (rc < 0)
			return rc;
		if (rc == STORE_ROW) {
			issue(j, j->t.rows[b->row[i]].line, header(j, m, F_ID), "error",
			      "conflicts with another record (duplicate ID number)");
			named++;
		}
	}
	return named ? WB_EINVAL : WB_ESTORE;
}

/* Writes the waiting rows; if one of them conflicts, undoes the batch and
 * applies its rows one by one, so that the issue names the row. In bulk
 * mode (import_apply) there is no savepoint: a failure fails the import,
 * and batch_blame names the rows. */
static int batch_flush(store_conn *c, import_job *j, reg_maps *map, const colmap *m, batch *b, int64_t now, int today)
{
	int rc;
	size_t grams_before = b->grams ? b->grams->n : 0;

	if (!b->n)
		return WB_OK;
	rc = j->bulk ? WB_OK : conn_exec(c, "SAVEPOINT wbbatch");
	if (rc == WB_OK)
		rc = batch_write(c, j, b, now, today);
	if (rc == WB_OK) {
		rc = j->bulk ? WB_OK : conn_exec(c, "RELEASE SAVEPOINT wbbatch");
		for (int i = 0; rc == WB_OK && i < b->n; i++)
			maps_add(map, &b->d[i].ch);
		if (rc == WB_OK)
			j->created += b->n;
	} else if (rc == WB_ECONFLICT && j->bulk) {
		rc = batch_blame(c, j, m, b);
	} else if (rc == WB_ECONFLICT) {
		if (b->grams) /* the undone children's name rows */
			b->grams->n = grams_before;
		rc = conn_exec(c, "ROLLBACK TO SAVEPOINT wbbatch; RELEASE SAVEPOINT wbbatch");
		for (int i = 0; rc == WB_OK && i < b->n; i++)
			rc = apply_one(c, j, map, m, b->row[i], &b->d[i], NULL, NULL, -1, now, today);
	}
	b->n = 0;
	return rc;
}

int import_apply(store_conn *c, import_job *j)
{
	int today = clock_today_ymd();
	int64_t now = clock_now();
	place_cache pc;
	seen_set seen = {0};
	reg_maps map = {0};
	colmap m;
	row_data *d = NULL;
	batch *b = NULL;
	prefetch *pf = NULL;
	uint64_t *keys = NULL;
	store_bulk bulk = {0}; /* the driver's settings for a load */
	store_children_load load = {0};
	size_t n = j->t.nrows;
	uint8_t *ok = NULL;
	int adult_before = 0; /* born on or before: archived at once, not registered */
	int rejecting = 0;    /* all or nothing, and a row of the matching pass is in error */
	int rc;

	j->rows = (long)n - 1;
	if (build_map(j, &m) != 0)
		return WB_EINVAL;
	/* Bulk mode (all or nothing, where a failed statement leaves the
	 * transaction usable: SQLite): the import is one transaction rolled
	 * back whole on any failure, so a batch needs no savepoint of its own
	 * (a savepoint copies every page a batch touches: ~3 % of the import's
	 * CPU). */
	j->bulk = !j->row_by_row && c->drv->failure_keeps_tx;
	if (store_bulk_begin(c, &bulk) != WB_OK)
		return WB_ESTORE;
	rc = load_places(c, j->county, &pc);
	if (rc)
		goto out;
	d = malloc(sizeof(*d));
	b = malloc(sizeof(*b));
	ok = calloc(n, 1);
	keys = calloc(n, sizeof(*keys));
	pf = malloc(sizeof(*pf));
	seen.cap = n * 2 + 1;
	seen.keys = calloc(seen.cap, sizeof(*seen.keys));
	seen.rows = calloc(seen.cap, sizeof(*seen.rows));
	if (!d || !b || !ok || !keys || !pf || !seen.keys || !seen.rows) {
		rc = WB_ENOMEM;
		goto out;
	}
	b->n = 0;
	b->grams = NULL;
	pf->n = 0;
	pf->keys = keys;
	pf->ok = ok;
	pf->nrows = n;
	/* pass 1: validate every row (and note its key in the maps) */
	for (size_t r = 1; r < n; r++) {
		if (parse_row(j, &m, &pc, r, d, today, 1) == 0) {
			uint32_t first = d->idnum[0] ? seen_check(&seen, d->idnum, j->t.rows[r].line) : 0;
			int gs = first ? WB_OK : guardians_lack_status_early(c, j, &m, r, d);

			if (gs != WB_OK) {
				if (gs != WB_EINVAL) {
					rc = gs;
					goto out;
				}
			} else if (first) {
				char msg[120];

				wb_snprintf(msg, sizeof(msg), "the same ID number is already on row %u of this file",
					    first);
				issue(j, j->t.rows[r].line, header(j, &m, F_ID), "error", msg);
			} else if (d->idnum[0]) {
				char bidx[SEC_HASH_HEX];

				sec_blind_index(j->keys, d->idnum, bidx);
				keys[r] = bidx_key(bidx);
				ok[r] = ROW_ID;
			} else {
				keys[r] = nid_key(d->ch.name, d->ch.birth_date, d->ch.village_code);
				ok[r] = ROW_NOID;
			}
		}
		if (!j->row_by_row && j->errors >= 1000)
			break; /* the file is rejected anyway; enough to fix */
		if ((r & 1023) == 0)
			atomic_store(&j->percent, (int)(r * 50 / n));
	}
	if (j->errors && !j->row_by_row) {
		rc = WB_EINVAL;
		goto out;
	}
	/* pass 2: match and apply */
	rc = archive_adult_before(c, j->county, today, &adult_before);
	if (rc == WB_OK)
		rc = maps_load(c, j->county, n, &map);
	if (rc == WB_OK && large_load(&map, pf)) {
		/* a load that at least doubles the county's registry: the name
		 * index is written at the end in key order, and (bulk mode) the
		 * children's indexes are built again, one sort each */
		rc = store_children_load_begin(c, &load, j->bulk);
		b->grams = &load.grams;
	}
	for (size_t r = 1; r < n && rc == WB_OK; r++) {
		row_data *rd = &b->d[b->n];
		child_rec old;
		guardian_rec eg[GUARDIANS_MAX];
		int neg, live, adult, gs;

		if (!ok[r])
			continue;
		if (parse_row(j, &m, &pc, r, rd, today, 0) != 0) {
			rc = WB_EINVAL;
			break;
		}
		if (!rejecting && batch_holds(b, rd)) {
			int at = b->n;

			rc = batch_flush(c, j, &map, &m, b, now, today);
			if (rc != WB_OK)
				break;
			memcpy(&b->d[0], &b->d[at], sizeof(b->d[0]));
			rd = &b->d[0];
		}
		rc = find_existing(c, j, &map, pf, r, rd, &old, eg, &neg, &live);
		adult = date_ymd(rd->ch.birth_date) > 0 && date_ymd(rd->ch.birth_date) <= adult_before;
		if (rc == WB_EINVAL) {
			char msg[160];

			if (rd->idnum[0])
				wb_snprintf(
					msg, sizeof(msg),
					"ambiguous: %d children without an ID number have this name, birth date and "
					"village; add the number on the right child's page",
					live);
			else
				wb_snprintf(msg, sizeof(msg),
					    "ambiguous: %d children of this name, birth date and village; give the ID "
					    "number",
					    live);
			issue(j, j->t.rows[r].line, header(j, &m, rd->idnum[0] ? F_ID : F_NAME), "error", msg);
			rejecting |= !j->row_by_row;
			rc = WB_OK;
		} else if (rc == WB_OK && may_change(j, &m, r, rd, &old) != 0) {
			rejecting |= !j->row_by_row;
		} else if ((rc == WB_OK || (rc == WB_ENOTFOUND && !adult)) &&
			   (gs = guardians_lack_status(c, j, &m, r, rd, rc == WB_OK ? &old : NULL, eg, &neg)) !=
				   WB_OK) {
			/* a guardian the registry does not have, without a status */
			rc = gs == WB_EINVAL ? WB_OK : gs;
			rejecting |= !j->row_by_row;
		} else if (rejecting) {
			/* the file is refused: the rest is read for these errors
			 * alone, so that one correction is enough */
			if (rc == WB_ENOTFOUND)
				rc = WB_OK;
		} else if (rc == WB_ENOTFOUND && adult) {
			/* as POST /children refuses them; a roster holds 18-year-olds
			 * often enough that refusing them would refuse whole files */
			issue(j, j->t.rows[r].line, header(j, &m, rd->idnum[0] ? F_ID : F_BIRTH), "skipped",
			      "18 or older and past the archive's grace days: not registered");
			rc = WB_OK;
		} else if (rc == WB_ENOTFOUND) {
			rc = prepare_new(j, rd, now);
			b->row[b->n++] = r;
			if (rc == WB_OK && b->n == BATCH_MAX)
				rc = batch_flush(c, j, &map, &m, b, now, today);
		} else if (rc == WB_OK) {
			rc = apply_one(c, j, &map, &m, r, rd, &old, eg, neg, now, today);
			pf_drop(pf, old.id); /* the row may have written it */
		}
		if (rejecting && j->errors >= 1000)
			break; /* the file is rejected anyway; enough to fix */
		if ((r & 1023) == 0)
			atomic_store(&j->percent, 50 + (int)(r * 50 / n));
	}
	if (rc == WB_OK && rejecting)
		rc = WB_EINVAL; /* nothing is imported; the writer rolls back */
	if (rc == WB_OK)
		rc = batch_flush(c, j, &map, &m, b, now, today);
	if (rc == WB_OK && b->grams && (rc = store_children_load_end(c, &load)) == WB_ECONFLICT)
		rc = WB_ESTORE; /* a duplicate ID number the maps let through: a bug, not the file's */
	if (rc == WB_ECONFLICT)
		rc = WB_EINVAL;
out:
	store_children_load_free(&load); /* after a failure the rollback restores the indexes */
	store_bulk_end(c, &bulk);
	free(pc.codes);
	free(pc.schools);
	map_free(&map.bidx);
	map_free(&map.nid);
	free(seen.keys);
	free(seen.rows);
	free(ok);
	free(keys);
	free(pf);
	free(d);
	free(b);
	return rc;
}

int import_save(store_conn *c, import_job *j, int64_t now)
{
	store_stmt *st = NULL;
	int fin = atomic_load(&j->finished);
	int rc;

	if (!j->import_id) {
		rc = conn_query(c, &st,
				"INSERT INTO imports (county_code, user_id, file_name, file_format, mode, status, "
				"created_at) VALUES (?, ?, ?, ?, ?, 'running', ?) RETURNING id",
				"sisssi", j->county, j->user_id, j->file_name, j->format,
				j->row_by_row ? "rows" : "all", now);
		if (rc != STORE_ROW)
			return rc < 0 ? rc : WB_ESTORE;
		j->import_id = stmt_int64(c, st, 0);
		stmt_reset(c, st);
		return WB_OK;
	}
	{
		json_t *ign = import_ignored_json(j);
		char *text = ign && json_array_size(ign) ? json_dumps(ign, JSON_COMPACT) : NULL;

		json_decref(ign);
		rc = conn_query(
			c, NULL,
			"UPDATE imports SET status = ?, rows_total = ?, created = ?, updated = ?, unchanged = ?, "
			"errors = ?, conflicts = ?, skipped = ?, message = ?, finished_at = ?, ignored_columns = ? "
			"WHERE id = ?",
			"siiiiiiisisi", fin && j->final_status[0] ? j->final_status : j->status, (int64_t)j->rows,
			(int64_t)j->created, (int64_t)j->updated, (int64_t)j->unchanged, (int64_t)j->errors,
			(int64_t)j->conflicts, (int64_t)j->skipped, j->message, now, store_null_if_empty(text),
			j->import_id);
		free(text);
	}
	for (size_t i = 0; fin && rc >= 0 && i < j->nissues; i++)
		rc = conn_query(
			c, NULL,
			"INSERT INTO import_issues (county_code, import_id, row_number, column_name, kind, reason) "
			"VALUES (?, ?, ?, ?, ?, ?)",
			"siisss", j->county, j->import_id, (int64_t)j->issues[i].row, j->issues[i].column,
			j->issues[i].kind, j->issues[i].reason);
	return rc < 0 ? rc : WB_OK;
}
