/*
 * `weibao demo`: the synthetic demo county, deterministic from a seed.
 *
 * County 370831 with its 13 real township-level divisions, ~400 generated
 * villages and communities, grids in urban communities and rural service
 * areas, the departments, organisations and 90+ schools, one account per
 * role and post (~700 accounts), and a registry of generated children with
 * valid-checksum ID numbers under 370831. Every name is generated: no real
 * person appears. All demo accounts share one password (hashed once).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/api.h"
#include "../api/loop.h"
#include "../api/programmes_api.h"
#include "../api/registry.h"
#include "../api/visits_api.h"
#include "../domain/area.h"
#include "../domain/date.h"
#include "../domain/entitlement.h"
#include "../domain/fields.h"
#include "../domain/units.h"
#include "../domain/idnum.h"
#include "../domain/project.h"
#include "../security/password.h"
#include "../store/model.h"
#include "../store/q_entitlements.h"
#include "../store/q_followups.h"
#include "../store/q_projects.h"
#include "../store/q_loop.h"
#include "../store/q_schools.h"
#include "../store/q_talks.h"
#include "../store/q_visits.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "cli.h"

static const struct {
	const char *code, *name;
	int communities, villages;
} townships[] = {
	{"370831001", "泗河街道", 16, 16}, {"370831002", "济河街道", 14, 14}, {"370831101", "泉林镇", 0, 33},
	{"370831102", "星村镇", 0, 32},    {"370831103", "柘沟镇", 0, 32},    {"370831104", "金庄镇", 0, 33},
	{"370831105", "苗馆镇", 0, 31},    {"370831106", "中册镇", 0, 32},    {"370831107", "杨柳镇", 0, 31},
	{"370831108", "泗张镇", 0, 30},    {"370831109", "圣水峪镇", 0, 30},  {"370831110", "高峪镇", 0, 29},
	{"370831111", "华村镇", 0, 29},
};

static const char *const orgs[][2] = {
	{"county_charity", "县慈善总会"},
	{"volunteers", "县志愿者协会"},
	{"hope_rooms", "希望小屋项目办公室"},
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
				       "胡", "朱", "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
				       "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅",
				       "孔", "颜", "曾", "孟", "田", "任", "姜", "范", "方", "石", "姚", "谭"};
static const char *const given[] = {"子", "梓", "浩", "宇", "轩", "涵", "欣", "怡", "晨", "阳", "雨", "嘉",
				    "佳", "思", "雅", "博", "文", "泽", "瑞", "安", "宁", "乐", "诗", "语",
				    "明", "俊", "杰", "婷", "悦", "可", "一", "若", "沐", "辰", "逸", "睿",
				    "航", "昊", "琪", "妍", "馨", "彤", "然", "铭", "煜", "霖", "茜", "璐"};
static const char *const place_a[] = {"东", "西", "南", "北", "前", "后", "上", "下", "大", "小", "新", "老",
				      "王", "李", "张", "刘", "石", "柳", "杨", "河", "泉", "岭", "山", "马"};
static const char *const place_b[] = {"庄", "村", "营", "屯", "店", "集", "峪", "岗", "洼", "官庄", "家庄", "楼"};
static const char *const community_b[] = {"花园", "泉城", "文化", "建设", "幸福", "和平", "春秋", "光明",
					  "锦绣", "滨河", "书院", "龙湾", "金桥", "安康", "育才", "兴隆"};

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rnd(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int rndn(rng *r, int n)
{
	return (int)(rnd(r) % (uint64_t)n);
}

typedef struct demo_job {
	cli_env *env;
	rng r;
	const char *hash;
	int64_t now;
	long children_target;
	int today;
	/* counts */
	int n_areas, n_villages, n_grids, n_units, n_users, n_schools;
	long n_children;
	/* the villages made, for placing children */
	char (*villages)[16];
	char (*village_grid)[16];
	int64_t *village_director;
	uint64_t *ids; /* ID numbers drawn (see id_taken) */
	size_t ids_cap;
	/* focus children made so far */
	int n_left_behind, n_orphan, n_unsupported, n_difficulty, n_confirmed, n_visits, n_policies, n_receipts,
		n_projects, n_talks, n_requests, n_mothers, n_programmes, n_returns, n_up, n_referrals;
	int nv;
	int64_t *schools;
	char (*school_township)[16];
} demo_job;

static int add_area(store_conn *c, demo_job *j, const char *code, const char *name, const char *kind)
{
	area_rec a;

	/* the county row may exist already (weibao init) */
	if (strlen(code) == 6 && store_area_get(c, code, &a) == WB_OK)
		return WB_OK;
	memset(&a, 0, sizeof(a));
	wb_strlcpy(a.code, code, sizeof(a.code));
	wb_strlcpy(a.county_code, DEFAULT_COUNTY, sizeof(a.county_code));
	area_parent_of(code, a.parent_code, sizeof(a.parent_code));
	wb_strlcpy(a.level, area_level_of(code), sizeof(a.level));
	wb_strlcpy(a.kind, kind, sizeof(a.kind));
	wb_strlcpy(a.name, name, sizeof(a.name));
	j->n_areas++;
	return store_area_insert(c, &a, j->now);
}

static int64_t last_user_id;

static int add_user(store_conn *c, demo_job *j, const char *username, const char *display, const char *role,
		    const char *area, int64_t unit_id)
{
	user_rec u;
	membership_rec m;
	int rc;

	if (store_user_by_name(c, username, &u) == WB_OK)
		return WB_OK; /* e.g. the administrator made by weibao init */
	memset(&u, 0, sizeof(u));
	memset(&m, 0, sizeof(m));
	wb_strlcpy(u.county_code, DEFAULT_COUNTY, sizeof(u.county_code));
	wb_strlcpy(u.username, username, sizeof(u.username));
	wb_strlcpy(u.display_name, display, sizeof(u.display_name));
	wb_strlcpy(u.password_hash, j->hash, sizeof(u.password_hash));
	rc = store_user_insert(c, &u, j->now, &u.id);
	if (rc)
		return rc;
	last_user_id = u.id;
	wb_strlcpy(m.county_code, DEFAULT_COUNTY, sizeof(m.county_code));
	m.user_id = u.id;
	wb_strlcpy(m.role, role, sizeof(m.role));
	if (area)
		wb_strlcpy(m.area_code, area, sizeof(m.area_code));
	m.unit_id = unit_id;
	j->n_users++;
	return store_membership_insert(c, &m, j->now, &m.id);
}

static int add_unit(store_conn *c, demo_job *j, const char *kind, const char *code, const char *name, const char *area,
		    int64_t *id_out)
{
	unit_rec u;

	memset(&u, 0, sizeof(u));
	wb_strlcpy(u.county_code, DEFAULT_COUNTY, sizeof(u.county_code));
	wb_strlcpy(u.kind, kind, sizeof(u.kind));
	wb_strlcpy(u.code, code, sizeof(u.code));
	wb_strlcpy(u.name, name, sizeof(u.name));
	if (area)
		wb_strlcpy(u.area_code, area, sizeof(u.area_code));
	j->n_units++;
	return store_unit_insert(c, &u, j->now, id_out);
}

static void person_name(rng *r, char *out, size_t n)
{
	if (rndn(r, 3) == 0)
		wb_snprintf(out, n, "%s%s", surnames[rndn(r, WB_ARRAY_LEN(surnames))],
			    given[rndn(r, WB_ARRAY_LEN(given))]);
	else
		wb_snprintf(out, n, "%s%s%s", surnames[rndn(r, WB_ARRAY_LEN(surnames))],
			    given[rndn(r, WB_ARRAY_LEN(given))], given[rndn(r, WB_ARRAY_LEN(given))]);
}

static int make_areas_and_people(store_conn *c, demo_job *j)
{
	char code[16], name[96], user[64], disp[128];
	int rc, urban_grids = 0, rural_grids = 0, directors = 0;

	rc = add_area(c, j, DEFAULT_COUNTY, "泗水县", "county");
	for (size_t t = 0; rc == WB_OK && t < WB_ARRAY_LEN(townships); t++) {
		const char *tc = townships[t].code;
		int nvill = townships[t].communities + townships[t].villages;

		rc = add_area(c, j, tc, townships[t].name, area_township_kind(tc));
		wb_snprintf(user, sizeof(user), "station%02zu", t + 1);
		wb_snprintf(disp, sizeof(disp), "%s未成年人保护工作站", townships[t].name);
		if (rc == WB_OK)
			rc = add_user(c, j, user, disp, "station", tc, 0);
		wb_snprintf(user, sizeof(user), "supervisor%02zu", t + 1);
		wb_snprintf(disp, sizeof(disp), "%s儿童督导员", townships[t].name);
		if (rc == WB_OK)
			rc = add_user(c, j, user, disp, "supervisor", tc, 0);
		for (int v = 0; rc == WB_OK && v < nvill; v++) {
			int community = v < townships[t].communities;
			int grids = 0;

			wb_snprintf(code, sizeof(code), "%s%03d", tc,
				    community ? v + 1 : 200 + v - townships[t].communities + 1);
			if (community) {
				wb_snprintf(name, sizeof(name), "%s%s社区", community_b[v % WB_ARRAY_LEN(community_b)],
					    v >= (int)WB_ARRAY_LEN(community_b) ? "二" : "");
				grids = urban_grids < 139 ? 5 : 0;
			} else {
				wb_snprintf(name, sizeof(name), "%s%s%s", place_a[rndn(&j->r, WB_ARRAY_LEN(place_a))],
					    place_a[rndn(&j->r, WB_ARRAY_LEN(place_a))],
					    place_b[rndn(&j->r, WB_ARRAY_LEN(place_b))]);
				if (strstr(name, "村") == NULL)
					wb_strlcpy(name + strlen(name), "村", sizeof(name) - strlen(name));
				grids = (rural_grids < 32 && v - townships[t].communities < 3) ? 1 : 0;
			}
			rc = add_area(c, j, code, name, community ? "community" : "village");
			wb_strlcpy(j->villages[j->nv], code, sizeof(j->villages[0]));
			j->village_grid[j->nv][0] = '\0';
			j->nv++;
			j->n_villages++;
			wb_snprintf(user, sizeof(user), "dir%s", code);
			wb_snprintf(disp, sizeof(disp), "%s儿童主任", name);
			if (rc == WB_OK)
				rc = add_user(c, j, user, disp, "director", code, 0);
			j->village_director[j->nv - 1] = last_user_id;
			directors++;
			for (int g = 0; rc == WB_OK && g < grids; g++) {
				char gcode[16], gname[96];

				if (community && urban_grids >= 139)
					break;
				wb_snprintf(gcode, sizeof(gcode), "%s%03d", code, g + 1);
				wb_snprintf(gname, sizeof(gname), "%s第%d网格", community ? name : name, g + 1);
				rc = add_area(c, j, gcode, gname, community ? "urban_grid" : "rural_service_area");
				if (g == 0)
					wb_strlcpy(j->village_grid[j->nv - 1], gcode, sizeof(j->village_grid[0]));
				wb_snprintf(user, sizeof(user), "grid%s", gcode);
				wb_snprintf(disp, sizeof(disp), "%s网格员", gname);
				if (rc == WB_OK)
					rc = add_user(c, j, user, disp, "grid", gcode, 0);
				j->n_grids++;
				if (community)
					urban_grids++;
				else
					rural_grids++;
			}
		}
	}
	/* one more director in the largest community: 403 in all */
	if (rc == WB_OK)
		rc = add_user(c, j, "dir370831001001b", "花园社区儿童主任（二）", "director", "370831001001", 0);
	if (rc)
		return rc;
	/* county posts */
	rc = add_user(c, j, "admin", "系统管理员", "admin", DEFAULT_COUNTY, 0);
	if (rc == WB_OK)
		rc = add_user(c, j, "committee", "县未成年人保护委员会", "committee", DEFAULT_COUNTY, 0);
	if (rc == WB_OK)
		rc = add_user(c, j, "auditor", "数据保护专员", "auditor", DEFAULT_COUNTY, 0);
	for (int i = 1; rc == WB_OK && i <= 8; i++) {
		wb_snprintf(user, sizeof(user), i == 1 ? "center" : "center%02d", i);
		wb_snprintf(disp, sizeof(disp), "县未成年人救助保护中心 %d 号岗", i);
		rc = add_user(c, j, user, disp, "center", DEFAULT_COUNTY, 0);
	}
	/* short names for trying each role */
	if (rc == WB_OK)
		rc = add_user(c, j, "director", "花园社区儿童主任（演示）", "director", "370831001001", 0);
	if (rc == WB_OK)
		rc = add_user(c, j, "director2", "泉林镇儿童主任（演示）", "director", "370831101201", 0);
	if (rc == WB_OK)
		rc = add_user(c, j, "grid", "花园社区第1网格网格员（演示）", "grid", "370831001001001", 0);
	if (rc == WB_OK)
		rc = add_user(c, j, "station", "泗河街道工作站（演示）", "station", "370831001", 0);
	if (rc == WB_OK)
		rc = add_user(c, j, "supervisor", "泗河街道儿童督导员（演示）", "supervisor", "370831001", 0);
	(void)directors;
	return rc;
}

static int make_units(store_conn *c, demo_job *j)
{
	char code[32], name[128], user[64];
	int64_t id = 0;
	int rc = WB_OK;
	size_t ndept;
	const std_department *dept = units_standard_departments(&ndept);

	for (size_t i = 0; rc == WB_OK && i < ndept; i++) {
		unit_rec have;

		unit_department_name(&dept[i], "县", name, sizeof(name));
		/* weibao init creates the county's departments */
		if (store_unit_find(c, DEFAULT_COUNTY, "department", dept[i].code, &have) == WB_OK)
			id = have.id;
		else
			rc = add_unit(c, j, "department", dept[i].code, name, DEFAULT_COUNTY, &id);
		wb_snprintf(user, sizeof(user), "dept_%s", dept[i].code);
		if (rc == WB_OK)
			rc = add_user(c, j, user, name, "department", NULL, id);
		if (rc == WB_OK && strcmp(dept[i].code, "civil_affairs") == 0)
			rc = add_user(c, j, "department", "县民政局（演示）", "department", NULL, id);
	}
	for (size_t i = 0; rc == WB_OK && i < WB_ARRAY_LEN(orgs); i++) {
		rc = add_unit(c, j, "org", orgs[i][0], orgs[i][1], DEFAULT_COUNTY, &id);
		wb_snprintf(user, sizeof(user), "org_%s", orgs[i][0]);
		if (rc == WB_OK)
			rc = add_user(c, j, user, orgs[i][1], "org", NULL, id);
		if (rc == WB_OK && i == 0)
			rc = add_user(c, j, "org", "县慈善总会（演示）", "org", NULL, id);
	}
	for (int s = 0; rc == WB_OK && s < 92; s++) {
		size_t t = (size_t)s % WB_ARRAY_LEN(townships);
		int k = s / (int)WB_ARRAY_LEN(townships) + 1;

		wb_snprintf(code, sizeof(code), "school%02d", s + 1);
		if (k <= 5)
			wb_snprintf(name, sizeof(name), "%s第%s小学", townships[t].name,
				    (const char *[]){"一", "二", "三", "四", "五"}[k - 1]);
		else
			wb_snprintf(name, sizeof(name), "%s第%s中学", townships[t].name,
				    (const char *[]){"一", "二", "三"}[k - 6]);
		rc = add_unit(c, j, "school", code, name, townships[t].code, &id);
		j->schools[s] = id;
		wb_strlcpy(j->school_township[s], townships[t].code, sizeof(j->school_township[0]));
		if (rc == WB_OK)
			rc = add_user(c, j, code, name, "school", NULL, id);
		if (rc == WB_OK && s == 0)
			rc = add_user(c, j, "school", "泗河街道第一小学（演示）", "school", NULL, id);
		j->n_schools++;
	}
	return rc;
}

/* A generated mobile number, encrypted and masked as the API stores one. */
static void demo_phone(demo_job *j, char *enc, char *mask, size_t masklen)
{
	char phone[16];

	wb_snprintf(phone, sizeof(phone), "1%d%09d", 3 + rndn(&j->r, 7), rndn(&j->r, 1000000000));
	sec_encrypt_field(&j->env->keys, phone, enc);
	field_mask_phone(phone, mask, masklen);
}

static void guardian(demo_job *j, guardian_rec *g, const char *relation, const char *surname, const char *status)
{

	memset(g, 0, sizeof(*g));
	wb_strlcpy(g->relation, relation, sizeof(g->relation));
	if (strcmp(relation, "father") == 0)
		wb_snprintf(g->name, sizeof(g->name), "%s%s%s", surname, given[rndn(&j->r, WB_ARRAY_LEN(given))],
			    given[rndn(&j->r, WB_ARRAY_LEN(given))]);
	else
		person_name(&j->r, g->name, sizeof(g->name));
	wb_strlcpy(g->status, status, sizeof(g->status));
	if (strcmp(status, "working_away") == 0)
		wb_strlcpy(g->work_place,
			   (const char *[]){"上海", "北京", "济南", "青岛", "苏州", "深圳"}[rndn(&j->r, 6)],
			   sizeof(g->work_place));
	if (strcmp(status, "deceased") != 0 && strcmp(status, "missing") != 0)
		demo_phone(j, g->phone_enc, g->phone_mask, sizeof(g->phone_mask));
}

/*
 * Gives a child the facts of one profile: the focus profiles make the
 * category rules derive their category; the ordinary one never does.
 * Returns 1 for a focus child.
 */
static int profile(demo_job *j, child_rec *ch, int age, int rural, guardian_rec g[2])
{
	static const char *const incapable[] = {"imprisoned", "severe_disability", "serious_illness",
						"drug_rehab", "lost_contact",      "detained"};
	char surname[8];
	int roll = rndn(&j->r, 1000);

	wb_snprintf(surname, sizeof(surname), "%.3s", ch->name); /* one CJK character */
	if (rural && age < 16 && j->n_left_behind < 2234 && roll < 30) {
		guardian(j, &g[0], "father", surname, "working_away");
		guardian(j, &g[1], "mother", surname, rndn(&j->r, 5) ? "working_away" : incapable[rndn(&j->r, 6)]);
		ch->risk_level[0] = '\0';
		wb_strlcpy(ch->risk_level, rndn(&j->r, 4) ? "low" : "medium", sizeof(ch->risk_level));
		j->n_left_behind++;
		return 1;
	}
	if (age < 18 && roll >= 30 && roll < 33 && j->n_orphan + j->n_unsupported + j->n_difficulty < 171) {
		int kind = rndn(&j->r, 10);

		if (kind < 2) {
			guardian(j, &g[0], "father", surname, "deceased");
			guardian(j, &g[1], "mother", surname, rndn(&j->r, 3) ? "deceased" : "missing");
			j->n_orphan++;
		} else if (kind < 5) {
			guardian(j, &g[0], "father", surname, rndn(&j->r, 2) ? "deceased" : incapable[rndn(&j->r, 6)]);
			guardian(j, &g[1], "mother", surname, incapable[rndn(&j->r, 6)]);
			j->n_unsupported++;
		} else {
			guardian(j, &g[0], "father", surname, "present");
			guardian(j, &g[1], "mother", surname, "present");
			if (kind < 8)
				ch->family_poverty = 1;
			else if (kind < 9) {
				ch->disability_grade = 1 + rndn(&j->r, 4);
				wb_strlcpy(ch->disability_type,
					   (const char *[]){"physical", "intellectual", "hearing"}[rndn(&j->r, 3)],
					   sizeof(ch->disability_type));
			} else
				wb_strlcpy(ch->serious_illness, "白血病", sizeof(ch->serious_illness));
			j->n_difficulty++;
		}
		wb_strlcpy(ch->risk_level, rndn(&j->r, 3) ? "medium" : "high", sizeof(ch->risk_level));
		return 1;
	}
	/* ordinary: both at home, or one away and the other at home */
	guardian(j, &g[0], "father", surname, rndn(&j->r, 5) ? "present" : "working_away");
	guardian(j, &g[1], "mother", surname, "present");
	wb_strlcpy(ch->risk_level, "low", sizeof(ch->risk_level));
	return 0;
}

/* Whether the ID number of (birth date, sequence) was drawn already; marks
 * it drawn. An open-addressing set sized for the whole demo. */
static int id_taken(demo_job *j, int ymd, int seq)
{
	uint64_t key = (uint64_t)ymd * 1000 + (uint64_t)seq + 1;

	for (size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) % j->ids_cap);; i = (i + 1) % j->ids_cap) {
		if (j->ids[i] == key)
			return 1;
		if (!j->ids[i]) {
			j->ids[i] = key;
			return 0;
		}
	}
}

/* 2025-01-01 00:00 in China Standard Time: when the demo's focus children
 * were confirmed */
#define DEMO_CONFIRMED_AT 1735660800LL
#define DEMO_MONTH        (30 * 86400LL)

/* When the registry's load ended: a month before the focus children were
 * confirmed (and at least 400 days ago), so that every child is on the
 * register before a benefit is paid for it or a category confirmed. */
static int64_t demo_loaded(const demo_job *j)
{
	int64_t at = DEMO_CONFIRMED_AT < j->now - 400 * 86400 ? DEMO_CONFIRMED_AT : j->now - 400 * 86400;

	return at - 30 * 86400;
}
#define DEMO_BATCH 100 /* children written together: a few multi-row INSERTs instead of three each */

typedef struct demo_batch {
	child_rec ch[DEMO_BATCH];
	guardian_rec g[DEMO_BATCH * 2];
	int focus[DEMO_BATCH];
	int n;
	/* views of the above for the multi-row inserts */
	child_rec *chp[DEMO_BATCH];
	const guardian_rec *gp[DEMO_BATCH];
	int64_t ids[DEMO_BATCH];
	int ng[DEMO_BATCH];
	store_grams *grams; /* a county-sized demo: the name index is written at the end */
} demo_batch;

/* Writes the batch's children, their guardians (two each) and, for the
 * focus children, their categories; empties the batch. */
static int flush_children(store_conn *c, demo_job *j, demo_batch *b)
{
	int rc;

	for (int k = 0; k < b->n; k++)
		b->chp[k] = &b->ch[k];
	rc = store_children_insert_rows(c, b->chp, b->n, b->grams);
	for (int k = 0; k < b->n; k++) {
		b->ids[k] = b->ch[k].id;
		b->gp[k] = &b->g[2 * k];
		b->ng[k] = 2;
	}
	if (rc == WB_OK)
		rc = store_guardians_insert_many(c, DEFAULT_COUNTY, b->ids, b->gp, b->ng, b->n, j->now);
	for (int k = 0; rc == WB_OK && k < b->n; k++) {
		child_facts f;

		if (!b->focus[k])
			continue;
		registry_facts(&b->ch[k], &b->g[2 * k], 2, &f);
		rc = registry_recompute(c, b->ch[k].county_code, b->ch[k].id, NULL, &f, j->today, j->now, NULL);
	}
	b->n = 0;
	return rc;
}

/* The index of a school of village's township for a child of age, from a
 * draw: the schools are made township by township, 13 at a time, the
 * primary schools first (rounds 1-5), then the middle schools (6-8; the
 * eighth round has one school only). */
static int local_school(const char *village, int age, int draw)
{
	int t = 0, n = (int)WB_ARRAY_LEN(townships);

	for (int i = 0; i < n; i++)
		if (strncmp(townships[i].code, village, 9) == 0)
			t = i;
	if (age <= 11)
		return t + n * (draw % 5);
	return t + n * (5 + draw % (t + n * 7 < 92 ? 3 : 2));
}

static int make_children(store_conn *c, demo_job *j)
{
	int rc = WB_OK;
	int ty = j->today / 10000;
	demo_batch *b = calloc(1, sizeof(*b));
	store_children_load load = {0};

	if (!b)
		return WB_ENOMEM;
	/* a county's worth of children into an empty registry: as an import
	 * of that size does, build the children's indexes after them (where the
	 * driver allows) and write the name index once, in key order */
	if (j->children_target >= STORE_CHILDREN_LOAD_MIN) {
		rc = store_children_load_begin(c, &load, 1);
		b->grams = &load.grams;
	}
	for (long i = 0; rc == WB_OK && i < j->children_target; i++) {
		child_rec ch;
		guardian_rec g[2];
		int vi = rndn(&j->r, j->nv);
		int age = rndn(&j->r, 18);
		int y = ty - age - (rndn(&j->r, 2)), m = 1 + rndn(&j->r, 12), d = 1 + rndn(&j->r, 28);
		int ymd = y * 10000 + m * 100 + d;
		int rural, focus;
		char first17[18], num[19];
		idnum id;

		if (ymd > j->today)
			y--, ymd -= 10000;
		memset(&ch, 0, sizeof(ch));
		wb_strlcpy(ch.county_code, DEFAULT_COUNTY, sizeof(ch.county_code));
		person_name(&j->r, ch.name, sizeof(ch.name));
		wb_strlcpy(ch.village_code, j->villages[vi], sizeof(ch.village_code));
		ch.director_id = j->village_director[vi];
		if (j->village_grid[vi][0] && rndn(&j->r, 2) == 0)
			wb_strlcpy(ch.grid_code, j->village_grid[vi], sizeof(ch.grid_code));
		if (rndn(&j->r, 100) < 97) {
			int seq = rndn(&j->r, 1000);

			/* draw again while the number is taken: a failed insert would
			 * abort the whole transaction on PostgreSQL */
			for (int tries = 0; tries < 1000 && id_taken(j, ymd, seq); tries++)
				seq = (seq + 1) % 1000;
			wb_snprintf(first17, sizeof(first17), "370831%08d%03d", ymd, seq);
			memcpy(num, first17, 17);
			num[17] = idnum_check_char(first17);
			num[18] = '\0';
			if (idnum_parse(num, j->today, &id) != IDNUM_OK)
				continue;
			sec_encrypt_field(&j->env->keys, id.number, ch.id_enc);
			sec_blind_index(&j->env->keys, id.number, ch.id_bidx);
			idnum_mask(id.number, ch.id_mask);
			ch.sex[0] = id.sex;
			wb_strlcpy(ch.birth_date, id.birth, sizeof(ch.birth_date));
		} else {
			ch.sex[0] = rndn(&j->r, 2) ? 'M' : 'F';
			wb_snprintf(ch.birth_date, sizeof(ch.birth_date), "%04d-%02d-%02d", y, m, d);
		}
		/* villages (2xx) are rural registrations, communities (0xx-1xx) mostly urban */
		rural = ch.village_code[9] >= '2' || rndn(&j->r, 5) == 0;
		wb_strlcpy(ch.hukou_type, rural ? "rural" : "urban", sizeof(ch.hukou_type));
		wb_strlcpy(ch.hukou_area_code, ch.village_code, sizeof(ch.hukou_area_code));
		/* ch.birth_date is ymd written out, by idnum_parse or above */
		age = category_age(registry_config(), ymd, j->today);
		if (age >= 6 && age <= 15) {
			int s = rndn(&j->r, 92);

			/* a primary school (第一..第五小学) of the child's own township
			 * up to 11, a middle school (第一..第三中学) after, picked by
			 * the draw; the draws are as they always were, so the rest of
			 * the county stays the same */
			if (strncmp(j->school_township[s], ch.village_code, 9) == 0 || rndn(&j->r, 4) == 0)
				ch.school_id = j->schools[local_school(ch.village_code, age, s)];
			if (age <= 11)
				wb_snprintf(ch.grade, sizeof(ch.grade), "小学%d年级", age - 5);
			else if (age <= 14)
				wb_snprintf(ch.grade, sizeof(ch.grade), "初中%d年级", age - 11);
			else
				wb_snprintf(ch.grade, sizeof(ch.grade), "高中%d年级", age - 14);
		}
		focus = profile(j, &ch, age, rural, g);
		/* the registry was loaded over the year before the county
		 * confirmed its focus children and their benefits began (2025,
		 * before the trends' year), a day's registrations at a time; a
		 * child born since is registered a month after its birth: a
		 * month's new registrations are its newborns, as a county's would
		 * be. No draw: the rest stays as it was */
		{
			int64_t born = date_day_start(ymd);

			ch.created_at =
				demo_loaded(j) - (int64_t)(j->n_children % 330) * 86400 - (j->n_children % 10) * 3600;
			if (ch.created_at < born + 30 * 86400)
				ch.created_at = born + 30 * 86400 + 9 * 3600;
			if (ch.created_at > j->now - 3600)
				ch.created_at = j->now - 3600;
			ch.updated_at = ch.created_at;
		}
		b->ch[b->n] = ch;
		b->g[2 * b->n] = g[0];
		b->g[2 * b->n + 1] = g[1];
		b->focus[b->n] = focus;
		if (++b->n == DEMO_BATCH)
			rc = flush_children(c, j, b);
		j->n_children++;
	}
	if (rc == WB_OK && b->n)
		rc = flush_children(c, j, b);
	if (rc == WB_OK && b->grams)
		rc = store_children_load_end(c, &load);
	store_children_load_free(&load); /* after a failure the rollback restores the indexes */
	free(b);
	/* the county has confirmed its focus children, with evidence, at the
	 * start of 2025 (the benefits they receive are paid from then on) */
	if (rc == WB_OK) {
		store_stmt *st = NULL;
		int64_t since = DEMO_CONFIRMED_AT < j->now ? DEMO_CONFIRMED_AT : j->now;

		/* suggested by the rules two weeks before they were confirmed */
		rc = conn_query(
			c, &st,
			"UPDATE child_categories SET state = 'confirmed', suggested_at = ?, confirmed_at = ?, "
			"evidence_type = 'home_visit', evidence_ref = 'DEMO-' || CAST(id AS TEXT), start_date = "
			"COALESCE((SELECT c.birth_date FROM children c WHERE c.id = child_categories.child_id AND "
			"c.birth_date > ?), ?), updated_at = ? WHERE county_code = ? AND state = 'suggested' "
			"RETURNING id",
			"iissis", since - 14 * 86400, since, "2025-01-01", "2025-01-01", j->now, DEFAULT_COUNTY);
		while (rc == STORE_ROW) {
			j->n_confirmed++;
			rc = stmt_step(c, st);
		}
		stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		/* one in seven was confirmed later, in one of the last eleven months
		 * (the monthly report and the trends count confirmations), with the
		 * category applying from 2025 as for the others */
		if (rc == WB_OK && j->now - 11 * DEMO_MONTH > since)
			rc = conn_query(
				c, NULL,
				"UPDATE child_categories SET confirmed_at = ? - ((id / 7) % 11) * ? - 20 * 86400, "
				"suggested_at = ? - ((id / 7) % 11) * ? - 34 * 86400 WHERE county_code = ? "
				"AND state = 'confirmed' AND id % 7 = 0",
				"iiiis", j->now, (int64_t)DEMO_MONTH, j->now, (int64_t)DEMO_MONTH, DEFAULT_COUNTY);
		/* a child registered since (a newborn) is suggested when it is
		 * registered and confirmed ten minutes later, not before */
		if (rc >= 0)
			rc = conn_query(
				c, NULL,
				"UPDATE child_categories SET suggested_at = (SELECT c.created_at FROM children c "
				"WHERE c.id = child_categories.child_id), confirmed_at = (SELECT c.created_at + "
				"600 FROM children c WHERE c.id = child_categories.child_id) WHERE county_code = ? "
				"AND state = 'confirmed' AND confirmed_at < (SELECT c.created_at FROM children c "
				"WHERE c.id = child_categories.child_id)",
				"s", DEFAULT_COUNTY);
		rc = rc < 0 ? rc : WB_OK;
	}
	return rc;
}

/* What a visitor writes down (synthetic, as everything in the demo). */
static const char *const findings[] = {
	"孩子在家，由祖父母照看，生活起居正常，学习情况良好。", "与孩子和奶奶交谈，家中卫生一般，孩子近期情绪稳定。",
	"电话联系外出务工的父亲，了解孩子近况，提醒按时通话。", "到校了解学习情况，班主任反映孩子出勤正常，成绩中等。",
	"孩子近期感冒已好转，已提醒监护人按时复查。",           "家中取暖设施不足，已登记需求，拟报乡镇工作站协调。",
};

/*
 * Visits of the children the plan covers (a confirmed category or raised
 * risk): most visited in the last weeks by their village's director, some
 * overdue, some never, so that the plan shows every state.
 */
/* A child of the plan to visit, and who visits it. */
typedef struct demo_visitee {
	int64_t child_id, by;
} demo_visitee;

typedef struct visitees {
	demo_visitee *v;
	size_t n, cap;
} visitees;

static int visitee_cb(const visit_plan_row *row, void *arg)
{
	visitees *x = arg;
	int rc = wb_grow(&x->v, x->n, &x->cap, sizeof(*x->v), 1024, 1u << 24);

	if (rc == WB_OK) {
		x->v[x->n].child_id = row->child_id;
		x->v[x->n++].by = row->director_id;
	}
	return rc;
}

static int make_visits(store_conn *c, demo_job *j)
{
	store_stmt *st = NULL;
	store_scope county;
	visitees x = {NULL, 0, 0};
	int64_t fallback = 0;
	char cutoff[11];
	int rc;

	rc = conn_query(c, &st, "SELECT id FROM users WHERE username = 'center'", "", NULL);
	if (rc == STORE_ROW) {
		fallback = stmt_int64(c, st, 0);
		stmt_reset(c, st);
	}
	/* the children the plan covers, gathered before the first insert */
	store_scope_county(&county, DEFAULT_COUNTY);
	visits_adult_cutoff(j->today, cutoff);
	rc = store_visit_plan(c, &county, cutoff, NULL, visitee_cb, &x);
	for (size_t i = 0; rc == WB_OK && i < x.n; i++) {
		/* one in eight never visited; the newest visit 0-44 days ago */
		int visits = rndn(&j->r, 8) == 0 ? 0 : 1 + rndn(&j->r, 3), back = rndn(&j->r, 45);

		for (int v = 0; rc == WB_OK && v < visits; v++) {
			int kind = rndn(&j->r, 10);
			char day[11];

			date_format(date_add_days(j->today, -back), day);
			rc = conn_query(c, NULL,
					"INSERT INTO visits (county_code, child_id, kind, visited_on, findings, flags, "
					"created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					"sissssii", DEFAULT_COUNTY, x.v[i].child_id,
					kind < 7   ? "home"
					: kind < 9 ? "phone"
						   : "school",
					day, findings[rndn(&j->r, (int)WB_ARRAY_LEN(findings))],
					rndn(&j->r, 10) == 0 ? "living" : "", j->now, x.v[i].by ? x.v[i].by : fallback);
			rc = rc < 0 ? rc : WB_OK;
			j->n_visits++;
			back += 25 + rndn(&j->r, 15);
		}
	}
	free(x.v);
	return rc;
}

/*
 * Entitlements (应享尽享): the county's usual benefits for children, with
 * synthetic standards (a 10 % raise of the basic living allowances from
 * 2026 as a second version), and receipts for most of the children each
 * one covers: about one in nine left out (the gaps a township chases), and
 * a few receipts of children the rule no longer covers (to stop).
 */
typedef struct demo_policy {
	const char *code, *name, *dept, *benefit;
	const char *cats; /* SQL list of categories, or NULL */
	int age_min, age_max, disability;
	const char *from[2];
	int64_t cents[2];
	const char *rule, *from_month;
} demo_policy;

static const demo_policy demo_policies[] = {
	{"orphan_allowance",
	 "孤儿基本生活费",
	 "civil_affairs",
	 "monthly_allowance",
	 "'orphan'",
	 0,
	 17,
	 0,
	 {"2025-01-01", "2026-01-01"},
	 {150000, 165000},
	 "{\"categories\":[\"orphan\"]}",
	 "2025-01"},
	{"unsupported_allowance",
	 "事实无人抚养儿童基本生活补贴",
	 "civil_affairs",
	 "monthly_allowance",
	 "'de_facto_unsupported'",
	 0,
	 17,
	 0,
	 {"2025-01-01", "2026-01-01"},
	 {150000, 165000},
	 "{\"categories\":[\"de_facto_unsupported\"]}",
	 "2025-01"},
	{"difficulty_allowance",
	 "困境儿童分类保障金",
	 "civil_affairs",
	 "monthly_allowance",
	 "'in_difficulty'",
	 0,
	 17,
	 0,
	 {"2025-01-01", NULL},
	 {60000, 0},
	 /* not had with the basic living allowances (不得同时享受): a child
	  * paid one of them is not entitled to this one, and the demo's
	  * children paid both are on the list to stop */
	 "{\"categories\":[\"in_difficulty\"],\"excludes\":[\"orphan_allowance\",\"unsupported_allowance\"]}",
	 "2025-07"},
	{"school_aid",
	 "家庭经济困难学生资助",
	 "education",
	 "fee_waiver",
	 "'orphan', 'de_facto_unsupported', 'in_difficulty'",
	 6,
	 17,
	 0,
	 {"2025-09-01", NULL},
	 {100000, 0},
	 "{\"categories\":[\"orphan\",\"de_facto_unsupported\",\"in_difficulty\"],\"age_min\":6,\"age_max\":17}",
	 "2026-09"},
	{"insurance_subsidy",
	 "城乡居民医保参保资助",
	 "medical_insurance",
	 "insurance_subsidy",
	 "'orphan', 'de_facto_unsupported', 'in_difficulty'",
	 0,
	 17,
	 0,
	 {"2026-01-01", NULL},
	 {40000, 0},
	 "{\"categories\":[\"orphan\",\"de_facto_unsupported\",\"in_difficulty\"]}",
	 "2026-01"},
	{"rehab_aid",
	 "残疾儿童康复救助",
	 "health",
	 "in_kind",
	 NULL,
	 0,
	 6,
	 1,
	 {"2025-01-01", NULL},
	 {2000000, 0},
	 "{\"age_min\":0,\"age_max\":6,\"disability_grades\":[1,2,3,4]}",
	 "2026-03"},
};

/* Moves the receipts that start before their child's registration month
 * (in China time) to that month. */
static int receipts_from_registration(store_conn *c, const demo_job *j)
{
	store_stmt *st = NULL;
	int64_t *ids = NULL;
	int *months = NULL;
	size_t n = 0, cap = 0;
	int rc = conn_query(c, &st,
			    "SELECT r.id, r.from_month, c.created_at FROM benefit_receipts r JOIN children c ON c.id = "
			    "r.child_id WHERE r.county_code = ? AND c.created_at > ? ORDER BY r.id",
			    "si", DEFAULT_COUNTY, demo_loaded(j));

	/* collected first: the updates write to the table being read */
	while (rc == STORE_ROW) {
		int from = 0, reg = clock_ymd_of(stmt_int64(c, st, 2)) / 100;

		if (month_parse(stmt_text(c, st, 1), &from) == WB_OK && from < reg) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				int64_t *gi = realloc(ids, ncap * sizeof(*ids));
				int *gm = gi ? realloc(months, ncap * sizeof(*months)) : NULL;

				if (gi)
					ids = gi;
				if (gm)
					months = gm;
				if (!gi || !gm) {
					rc = WB_ENOMEM;
					break;
				}
				cap = ncap;
			}
			ids[n] = stmt_int64(c, st, 0);
			months[n++] = reg;
		}
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		char month[8];

		month_format(months[i], month);
		rc = conn_query(c, NULL, "UPDATE benefit_receipts SET from_month = ? WHERE id = ?", "si", month,
				ids[i]);
	}
	free(ids);
	free(months);
	return rc < 0 ? rc : WB_OK;
}

static int make_entitlements(store_conn *c, demo_job *j)
{
	store_stmt *q = NULL;
	int64_t by = 0;
	int rc = conn_query(c, &q, "SELECT id FROM users WHERE username = 'center'", "", NULL);

	rc = stmt_result_int64(c, q, rc, WB_ENOTFOUND, &by);

	for (size_t i = 0; rc == WB_OK && i < WB_ARRAY_LEN(demo_policies); i++) {
		const demo_policy *d = &demo_policies[i];
		char oldest[11], youngest[11];
		policy_version_rec v;
		policy_rec p;
		unit_rec u;
		store_args a = {0};
		buf sql;
		int64_t n = 0;
		store_stmt *st = NULL;

		rc = store_unit_find(c, DEFAULT_COUNTY, "department", d->dept, &u);
		if (rc)
			return rc;
		memset(&p, 0, sizeof(p));
		memset(&v, 0, sizeof(v));
		wb_strlcpy(p.county_code, DEFAULT_COUNTY, sizeof(p.county_code));
		wb_strlcpy(p.code, d->code, sizeof(p.code));
		wb_strlcpy(p.name, d->name, sizeof(p.name));
		wb_strlcpy(p.benefit, d->benefit, sizeof(p.benefit));
		p.department_id = u.id;
		p.created_at = v.created_at = j->now;
		p.created_by = v.created_by = by;
		wb_strlcpy(v.county_code, DEFAULT_COUNTY, sizeof(v.county_code));
		wb_strlcpy(v.rule, d->rule, sizeof(v.rule));
		for (int k = 0; rc == WB_OK && k < 2 && d->from[k]; k++) {
			wb_strlcpy(v.effective_from, d->from[k], sizeof(v.effective_from));
			v.amount_cents = d->cents[k];
			wb_strlcpy(v.note, k ? "标准提高10%" : "", sizeof(v.note));
			rc = k ? store_policy_version_insert(c, &v) : store_policy_insert(c, &p, &v);
		}
		if (rc)
			return rc;
		j->n_policies++;
		/* born after oldest: at most age_max; on or before youngest: at least age_min */
		date_format(j->today - (d->age_max + 1) * 10000, oldest);
		date_format(j->today - d->age_min * 10000, youngest);
		buf_init(&sql, 1024);
		buf_puts(&sql,
			 "INSERT INTO benefit_receipts (county_code, child_id, policy_id, from_month, created_at, "
			 "created_by) SELECT c.county_code, c.id, ?, ?, ?, ? FROM children c WHERE c.county_code = "
			 "? AND c.birth_date > ? AND c.birth_date <= ? AND c.id % 9 <> ?");
		args_int(&a, p.id);
		args_text(&a, d->from_month);
		args_int(&a, j->now);
		args_int(&a, by);
		args_text(&a, DEFAULT_COUNTY);
		args_text(&a, oldest);
		args_text(&a, youngest);
		args_int(&a, (int64_t)i);
		if (d->cats)
			buf_printf(&sql,
				   " AND c.id IN (SELECT k.child_id FROM child_categories k WHERE k.county_code = ? "
				   "AND k.state = 'confirmed' AND k.category IN (%s))",
				   d->cats);
		if (d->cats)
			args_text(&a, DEFAULT_COUNTY);
		if (d->disability)
			buf_puts(&sql, " AND c.disability_grade > 0");
		/* and a few who no longer qualify, still paid: the benefits to stop */
		if (i == 2) {
			buf_puts(&sql, " OR (c.county_code = ? AND c.birth_date > ? AND c.id % 4999 = 7 AND "
				       "c.disability_grade = 0 AND "
				       "c.family_poverty = 0 AND NOT EXISTS (SELECT 1 FROM child_categories k WHERE "
				       "k.child_id = c.id AND k.state = 'confirmed'))");
			args_text(&a, DEFAULT_COUNTY);
			args_text(&a, oldest);
		}
		buf_puts(&sql, " RETURNING id");
		rc = conn_query_args(c, &st, sql.data, &a);
		while (rc == STORE_ROW) {
			n++;
			rc = stmt_step(c, st);
		}
		if (st)
			stmt_reset(c, st);
		buf_cleanup(&sql);
		rc = rc < 0 ? rc : WB_OK;
		j->n_receipts += (int)n;
	}
	/* a child registered after a policy's first month (a newborn) is paid
	 * from the month it was registered */
	if (rc == WB_OK)
		rc = receipts_from_registration(c, j);
	return rc;
}

/*
 * Charity projects (社会参与): hope rooms (希望小屋) for orphans and de facto
 * unsupported children — built, being built and planned — a "1 + N" plan
 * for a left-behind child, a summer programme for a township's left-behind
 * children and a fundraising drive, each with its money. Donors are
 * generated names marked as demo.
 */
typedef struct demo_kid {
	int64_t id;
	char village[16];
} demo_kid;

typedef struct demo_kids {
	demo_kid k[64];
	int n;
} demo_kids;

/* Up to max children with a confirmed category in cats (SQL list), orphans
 * and de facto unsupported children first, then by id, from the skip-th
 * on. */
static int demo_pick(store_conn *c, const char *cats, int skip, int max, demo_kids *out)
{
	store_stmt *st = NULL;
	char sql[512];
	int rc;

	out->n = 0;
	wb_snprintf(sql, sizeof(sql),
		    "SELECT c.id, c.village_code FROM children c WHERE c.county_code = ? AND c.id IN (SELECT "
		    "k.child_id FROM child_categories k WHERE k.state = 'confirmed' AND k.category IN (%s)) ORDER BY "
		    "CASE WHEN c.id IN (SELECT k.child_id FROM child_categories k WHERE k.state = 'confirmed' AND "
		    "k.category IN ('orphan', 'de_facto_unsupported')) THEN 0 ELSE 1 END, c.id LIMIT ? OFFSET ?",
		    cats);
	rc = conn_query(c, &st, sql, "sii", DEFAULT_COUNTY, (int64_t)max, (int64_t)skip);
	while (rc == STORE_ROW && out->n < (int)WB_ARRAY_LEN(out->k)) {
		out->k[out->n].id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, out->k[out->n].village, sizeof(out->k[0].village));
		out->n++;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* One project with its children, its status history and its money. */
static int demo_project(store_conn *c, demo_job *j, int64_t by, const char *org, const char *kind, const char *name,
			const char *donor, int64_t budget, const char *status, const char *area, const demo_kids *kids,
			const char *services, int64_t spent)
{
	project_rec *p = calloc(1, sizeof(*p));
	project_child_rec pc;
	project_fund_rec f;
	unit_rec u;
	int rc = p ? store_unit_find(c, DEFAULT_COUNTY, "org", org, &u) : WB_ENOMEM;

	if (rc)
		goto out;
	wb_strlcpy(p->county_code, DEFAULT_COUNTY, sizeof(p->county_code));
	p->org_id = u.id;
	wb_strlcpy(p->kind, kind, sizeof(p->kind));
	wb_strlcpy(p->name, name, sizeof(p->name));
	wb_strlcpy(p->donor, donor, sizeof(p->donor));
	wb_strlcpy(p->area_code, area ? area : "", sizeof(p->area_code));
	wb_strlcpy(p->status, "planned", sizeof(p->status));
	p->budget_cents = budget;
	p->version = 1;
	p->created_at = p->updated_at = j->now - 90 * 86400;
	p->created_by = p->updated_by = by;
	rc = store_project_insert(c, p);
	for (int i = 0; rc == WB_OK && kids && i < kids->n; i++) {
		memset(&pc, 0, sizeof(pc));
		pc.project_id = p->id;
		pc.child_id = kids->k[i].id;
		wb_strlcpy(pc.services, services ? services : "", sizeof(pc.services));
		pc.added_at = p->created_at;
		pc.added_by = by;
		rc = store_project_child_add(c, &pc);
	}
	/* planned → active → done, as the project went */
	if (rc == WB_OK && strcmp(status, "planned") != 0) {
		date_format(date_add_days(j->today, -80), p->started_on);
		wb_strlcpy(p->status, "active", sizeof(p->status));
		p->version++;
		p->updated_at = j->now - 80 * 86400;
		rc = store_project_update(c, p, "planned", "");
	}
	if (rc == WB_OK && strcmp(status, "done") == 0) {
		date_format(date_add_days(j->today, -20), p->finished_on);
		wb_strlcpy(p->status, "done", sizeof(p->status));
		p->version++;
		p->updated_at = j->now - 20 * 86400;
		rc = store_project_update(c, p, "active", "验收合格");
	}
	memset(&f, 0, sizeof(f));
	f.project_id = p->id;
	f.created_at = j->now;
	f.created_by = by;
	wb_strlcpy(f.county_code, DEFAULT_COUNTY, sizeof(f.county_code));
	if (rc == WB_OK && strcmp(status, "planned") != 0 && budget) {
		wb_strlcpy(f.kind, "donation", sizeof(f.kind));
		f.amount_cents = budget;
		date_format(date_add_days(j->today, -85), f.on_date);
		wb_strlcpy(f.party, donor, sizeof(f.party));
		rc = store_project_fund_add(c, &f);
	}
	if (rc == WB_OK && spent) {
		wb_strlcpy(f.kind, "spending", sizeof(f.kind));
		f.amount_cents = spent;
		date_format(date_add_days(j->today, -30), f.on_date);
		wb_strlcpy(f.party, "施工及物资采购", sizeof(f.party));
		rc = store_project_fund_add(c, &f);
	}
	if (rc == WB_OK)
		j->n_projects++;
out:
	free(p);
	return rc;
}

static int make_projects(store_conn *c, demo_job *j)
{
	static const char *const donors[] = {"泗水爱心企业甲（演示）", "泗水爱心企业乙（演示）", "县工商联会员（演示）",
					     "爱心人士（演示）"};
	store_stmt *q = NULL;
	demo_kids kids, one;
	int64_t by = 0;
	int rc = conn_query(c, &q, "SELECT id FROM users WHERE username = 'center'", "", NULL);

	rc = stmt_result_int64(c, q, rc, WB_ENOTFOUND, &by);
	/* hope rooms for the children most in need: four built, five being
	 * built, three planned */
	if (rc == WB_OK)
		rc = demo_pick(c, "'orphan', 'de_facto_unsupported', 'in_difficulty', 'left_behind'", 0, 12, &kids);
	for (int i = 0; rc == WB_OK && i < kids.n; i++) {
		char name[96];
		const char *status = i < 4 ? "done" : i < 9 ? "active" : "planned";
		int64_t budget = 2000000 + 100000 * (i % 5);

		one.n = 1;
		one.k[0] = kids.k[i];
		wb_snprintf(name, sizeof(name), "希望小屋 %d 号", i + 1);
		rc = demo_project(c, j, by, "hope_rooms", "hope_room", name, donors[i % 4], budget, status,
				  one.k[0].village, &one, "书桌、床铺、衣柜、学习用品",
				  i < 4   ? budget
				  : i < 9 ? budget / 2
					  : 0);
	}
	/* a "1 + N" plan for a left-behind child */
	if (rc == WB_OK)
		rc = demo_pick(c, "'left_behind'", 0, 1, &one);
	if (rc == WB_OK && one.n)
		rc = demo_project(c, j, by, "volunteers", "one_plus_n", "“1+N”关爱帮扶", donors[3], 300000, "active",
				  one.k[0].village, &one, "学业辅导；心理陪伴；每周亲情视频通话", 120000);
	/* a summer programme for twenty left-behind children of one township */
	if (rc == WB_OK)
		rc = demo_pick(c, "'left_behind'", 1, 20, &kids);
	if (rc == WB_OK && kids.n) {
		char town[10];

		wb_strlcpy(town, kids.k[0].village, sizeof(town));
		rc = demo_project(c, j, by, "volunteers", "service", "留守儿童暑期托管", donors[2], 1500000, "done",
				  town, &kids, "暑期托管", 1380000);
	}
	if (rc == WB_OK)
		rc = demo_project(c, j, by, "county_charity", "fundraising", "困境儿童助学募捐", "社会各界（演示）",
				  5000000, "active", NULL, NULL, NULL, 0);
	return rc;
}

/* Talks (讲): most villages' directors held one to three sessions in the
 * last two months, on the usual subjects, with their attendance. */
static int make_talks(store_conn *c, demo_job *j)
{
	static const char *const topics[] = {"防溺水安全教育",   "预防性侵害知识讲座", "防范校园欺凌",
					     "家庭教育家长课堂", "未成年人保护法宣传", "心理健康与亲情沟通",
					     "交通安全进村入户"};
	static const char *const kinds[] = {"education", "education", "education", "parent_school",
					    "publicity", "education", "publicity"};
	talk_rec t;
	int rc = WB_OK;

	for (int v = 0; rc == WB_OK && v < j->nv; v++) {
		int n = rndn(&j->r, 4); /* 0 to 3 */

		for (int k = 0; rc == WB_OK && k < n && j->village_director[v]; k++) {
			int topic = rndn(&j->r, (int)WB_ARRAY_LEN(topics));

			memset(&t, 0, sizeof(t));
			wb_strlcpy(t.county_code, DEFAULT_COUNTY, sizeof(t.county_code));
			wb_strlcpy(t.area_code, j->villages[v], sizeof(t.area_code));
			date_format(date_add_days(j->today, -rndn(&j->r, 60)), t.held_on);
			wb_strlcpy(t.kind, kinds[topic], sizeof(t.kind));
			wb_strlcpy(t.topic, topics[topic], sizeof(t.topic));
			t.children = 10 + rndn(&j->r, 40);
			t.adults = kinds[topic][0] == 'p' ? 15 + rndn(&j->r, 30) : rndn(&j->r, 8);
			t.created_at = j->now;
			t.created_by = j->village_director[v];
			rc = store_talk_insert(c, &t);
			j->n_talks++;
		}
	}
	return rc;
}

/*
 * Schools (SPEC §5): most schools have an activity station and a
 * counselling room; each logged a few group sessions and some sessions
 * with one pupil in the last three months. Caring mothers (爱心妈妈) of
 * the villages are paired with some of the confirmed orphans, de facto
 * unsupported and left-behind children.
 */
static int make_schools(store_conn *c, demo_job *j)
{
	static const char *const topics[] = {"emotion", "study", "family", "peers", "bullying", "safety", "other"};
	counselling_rec *k = calloc(1, sizeof(*k));
	caring_mother_rec *m = calloc(1, sizeof(*m));
	caring_pair_rec pr;
	store_stmt *st = NULL;
	int64_t kids[24], dirs[160], ids[160];
	char villages[160][16];
	int rc = k && m ? WB_OK : WB_ENOMEM, n, nk;

	for (int s = 0; rc == WB_OK && s < j->n_schools; s++) {
		school_row room;
		char user[16];
		int64_t by = 0;

		wb_snprintf(user, sizeof(user), "school%02d", s + 1);
		rc = conn_query(c, &st, "SELECT id FROM users WHERE username = ? OR (username = 'school' AND ? = 1)",
				"si", user, (int64_t)(s == 0));
		if (rc == STORE_ROW) {
			by = stmt_int64(c, st, 0);
			stmt_reset(c, st);
			rc = WB_OK;
		} else if (rc == STORE_DONE) {
			continue;
		}
		memset(&room, 0, sizeof(room));
		room.id = j->schools[s];
		room.activity_station = rndn(&j->r, 10) != 0;
		room.counselling_room = rndn(&j->r, 8) != 0;
		room.counsellors = room.counselling_room ? 1 + rndn(&j->r, 3) : 0;
		date_format(date_add_days(j->today, -365 - rndn(&j->r, 1500)), room.opened_on);
		if (rc == WB_OK)
			rc = store_school_rooms_put(c, DEFAULT_COUNTY, &room, j->now, by);
		if (rc != WB_OK || !room.counselling_room)
			continue;
		nk = 0;
		rc = conn_query(c, &st,
				"SELECT id FROM children WHERE school_id = ? AND archived_at IS NULL ORDER BY CASE "
				"risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id LIMIT 24",
				"i", j->schools[s]);
		while (rc == STORE_ROW && nk < (int)WB_ARRAY_LEN(kids)) {
			kids[nk++] = stmt_int64(c, st, 0);
			rc = stmt_step(c, st);
		}
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		n = 2 + rndn(&j->r, 5);
		for (int i = 0; rc == WB_OK && i < n + nk / 3; i++) {
			memset(k, 0, sizeof(*k));
			wb_strlcpy(k->county_code, DEFAULT_COUNTY, sizeof(k->county_code));
			k->school_id = j->schools[s];
			date_format(date_add_days(j->today, -rndn(&j->r, 90)), k->held_on);
			wb_strlcpy(k->topic, topics[rndn(&j->r, (int)WB_ARRAY_LEN(topics))], sizeof(k->topic));
			if (i < n || !nk) {
				wb_strlcpy(k->mode, "group", sizeof(k->mode));
				k->pupils = 8 + rndn(&j->r, 40);
				wb_strlcpy(k->concern, "none", sizeof(k->concern));
			} else {
				wb_strlcpy(k->mode, "individual", sizeof(k->mode));
				k->child_id = kids[rndn(&j->r, nk)];
				k->pupils = 1;
				wb_strlcpy(k->concern,
					   (const char *[]){"none", "none", "watch", "refer"}[rndn(&j->r, 4)],
					   sizeof(k->concern));
				{
					char *enc = NULL;

					if (sec_encrypt_text(&j->env->keys, "谈心谈话，情绪较前稳定（演示）", &enc) ==
					    WB_OK)
						wb_strlcpy(k->notes_enc, enc, sizeof(k->notes_enc));
					free(enc);
				}
			}
			k->created_at = j->now;
			k->created_by = by;
			rc = store_counselling_insert(c, k);
		}
	}
	/* caring mothers: one in each village that has a confirmed orphan, de
	 * facto unsupported or left-behind child, up to 160 */
	n = 0;
	if (rc == WB_OK)
		rc = conn_query(c, &st,
				"SELECT c.id, c.village_code, COALESCE(c.director_id, 0) FROM children c JOIN "
				"child_categories k ON k.child_id = c.id WHERE c.archived_at IS NULL AND k.state = "
				"'confirmed' AND k.category IN ('orphan', 'de_facto_unsupported', 'left_behind') ORDER "
				"BY c.id",
				"", NULL);
	while (rc == STORE_ROW && n < (int)WB_ARRAY_LEN(ids)) {
		int64_t dir = stmt_int64(c, st, 2);

		if (dir && rndn(&j->r, 6) == 0) {
			ids[n] = stmt_int64(c, st, 0);
			stmt_copy(c, st, 1, villages[n], sizeof(villages[n]));
			dirs[n++] = dir;
		}
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	rc = rc < 0 ? rc : WB_OK;
	for (int i = 0; rc == WB_OK && i < n; i++) {
		memset(m, 0, sizeof(*m));
		wb_strlcpy(m->county_code, DEFAULT_COUNTY, sizeof(m->county_code));
		wb_strlcpy(m->area_code, villages[i], sizeof(m->area_code));
		person_name(&j->r, m->name, sizeof(m->name));
		demo_phone(j, m->phone_enc, m->phone_mask, sizeof(m->phone_mask));
		date_format(date_add_days(j->today, -200 - rndn(&j->r, 600)), m->joined_on);
		wb_strlcpy(m->notes, "村妇联推荐（演示）", sizeof(m->notes));
		m->created_at = m->updated_at = j->now;
		m->created_by = dirs[i];
		rc = store_caring_mother_insert(c, m);
		if (rc != WB_OK)
			break;
		memset(&pr, 0, sizeof(pr));
		wb_strlcpy(pr.county_code, DEFAULT_COUNTY, sizeof(pr.county_code));
		pr.mother_id = m->id;
		pr.child_id = ids[i];
		date_format(date_add_days(j->today, -rndn(&j->r, 180)), pr.started_on);
		pr.created_at = j->now;
		pr.created_by = dirs[i];
		rc = store_caring_pair_insert(c, &pr);
		j->n_mothers++;
	}
	free(k);
	free(m);
	return rc == WB_ECONFLICT ? WB_OK : rc;
}

/*
 * Supporting programmes (SPEC §7): in each township two returning-
 * entrepreneur projects and a rural-revitalisation partner; some fathers
 * of left-behind children came home to work in them, which ended those
 * children's left-behind category.
 */
static int make_programmes(store_conn *c, demo_job *j)
{
	static const char *const trades[][2] = {
		{"食用菌种植合作社", "种植"},   {"生态养殖场", "养殖"},       {"农产品电商服务站", "电商"},
		{"煎饼食品加工坊", "食品加工"}, {"服装加工车间", "服装加工"}, {"乡村民宿", "乡村旅游"},
	};
	static const char *const levels[] = {"basic", "growth", "core"};
	programme_rec *p = calloc(1, sizeof(*p));
	int64_t first[WB_ARRAY_LEN(townships)], started[WB_ARRAY_LEN(townships)], by = 0;
	int64_t kids[24], fathers[24];
	char towns[24][10];
	store_stmt *st = NULL;
	store_scope county;
	int rc = p ? conn_query(c, &st, "SELECT id FROM users WHERE username = 'center'", "", NULL) : WB_ENOMEM;
	int n = 0;

	if (rc == STORE_ROW) {
		by = stmt_int64(c, st, 0);
		stmt_reset(c, st);
		rc = WB_OK;
	}
	for (size_t t = 0; rc == WB_OK && t < WB_ARRAY_LEN(townships); t++) {
		for (int k = 0; rc == WB_OK && k < 3; k++) {
			int trade = rndn(&j->r, (int)WB_ARRAY_LEN(trades));
			char holder[64];

			memset(p, 0, sizeof(*p));
			person_name(&j->r, holder, sizeof(holder));
			wb_strlcpy(p->county_code, DEFAULT_COUNTY, sizeof(p->county_code));
			wb_strlcpy(p->area_code, townships[t].code, sizeof(p->area_code));
			wb_strlcpy(p->kind, k < 2 ? "returning_entrepreneur" : "revitalisation_partner",
				   sizeof(p->kind));
			wb_snprintf(p->name, sizeof(p->name), "%s%s", townships[t].name, trades[trade][0]);
			wb_strlcpy(p->holder, holder, sizeof(p->holder));
			wb_strlcpy(p->industry, trades[trade][1], sizeof(p->industry));
			wb_strlcpy(p->level, k < 2 ? "basic" : levels[rndn(&j->r, 3)], sizeof(p->level));
			wb_strlcpy(p->status, "active", sizeof(p->status));
			date_format(date_add_days(j->today, -200 - rndn(&j->r, 900)), p->started_on);
			p->jobs = 6 + rndn(&j->r, 50);
			p->returnees = 1 + rndn(&j->r, 6);
			p->created_at = p->updated_at = j->now;
			p->created_by = p->updated_by = by;
			rc = store_programme_insert(c, p);
			if (k == 0) {
				first[t] = p->id;
				started[t] = date_ymd(p->started_on);
			}
			j->n_programmes++;
		}
	}
	/* fathers working away of some confirmed left-behind children */
	if (rc == WB_OK)
		rc = conn_query(
			c, &st,
			"SELECT c.id, g.id, substr(c.village_code, 1, 9) FROM children c JOIN child_categories k "
			"ON k.child_id = c.id JOIN guardians g ON g.child_id = c.id WHERE c.archived_at IS NULL "
			"AND k.state = 'confirmed' AND k.category = 'left_behind' AND g.relation = 'father' AND "
			"g.status = 'working_away' ORDER BY c.id",
			"", NULL);
	while (rc == STORE_ROW && n < (int)WB_ARRAY_LEN(kids)) {
		if (rndn(&j->r, 40) == 0) {
			kids[n] = stmt_int64(c, st, 0);
			fathers[n] = stmt_int64(c, st, 1);
			stmt_copy(c, st, 2, towns[n], sizeof(towns[n]));
			n++;
		}
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	rc = rc < 0 ? rc : WB_OK;
	store_scope_county(&county, DEFAULT_COUNTY);
	for (int i = 0; rc == WB_OK && i < n; i++) {
		programme_return_rec ret;
		const char *error = NULL, *field = NULL;
		size_t t = 0;

		while (t < WB_ARRAY_LEN(townships) && strcmp(townships[t].code, towns[i]) != 0)
			t++;
		if (t == WB_ARRAY_LEN(townships))
			continue;
		memset(&ret, 0, sizeof(ret));
		wb_strlcpy(ret.county_code, DEFAULT_COUNTY, sizeof(ret.county_code));
		ret.programme_id = first[t];
		ret.child_id = kids[i];
		{
			int back = date_add_days(j->today, -rndn(&j->r, 150));

			date_format(back > started[t] ? back : (int)started[t], ret.returned_on);
		}
		ret.created_at = j->now;
		ret.created_by = by;
		rc = programmes_record_return(c, &county, &ret, fathers[i], j->now, j->today, &error, &field);
		if (rc == WB_EINVAL || rc == WB_ECONFLICT)
			rc = WB_OK; /* a child with two fathers' rows: the first came home */
		else if (rc == WB_OK)
			j->n_returns++;
	}
	free(p);
	return rc;
}

/*
 * Help requests (求助) of the last months, so that the closed loop's lists,
 * the overview, the monthly report and the trends have something to show:
 * one in eight focus children had a request filed by the village's
 * director; most were resolved by the township with the result delivered
 * to the child and closed, some wait for the township's review (a few
 * past their deadline), some were just filed. Each has the steps of its
 * timeline. One in four goes up instead: the township forwards it, the
 * centre accepts it and refers it to one or two departments or charities,
 * which accept and finish it; the centre sends the result down and closes
 * it once the director has delivered it — or, for the recent ones, it
 * waits at one of those steps (the centre's acceptance, its referral, a
 * unit's acceptance, a unit's work), a few past their deadline.
 */
typedef struct demo_req {
	int64_t child_id, director;
	char village[16];
	int age; /* in full years, or -1 without a birth date */
} demo_req;

static int add_step(store_conn *c, const char *town, int64_t req, const char *action, const char *from, const char *to,
		    int64_t actor, const char *role, int64_t started, int64_t due, int64_t at, const char *note)
{
	step_rec s;

	memset(&s, 0, sizeof(s));
	wb_strlcpy(s.county_code, DEFAULT_COUNTY, sizeof(s.county_code));
	wb_strlcpy(s.township_code, town, sizeof(s.township_code));
	s.request_id = req;
	wb_strlcpy(s.action, action, sizeof(s.action));
	wb_strlcpy(s.from_state, from, sizeof(s.from_state));
	wb_strlcpy(s.to_state, to, sizeof(s.to_state));
	s.actor_id = actor;
	wb_strlcpy(s.actor_role, role, sizeof(s.actor_role));
	s.stage_started_at = started;
	s.stage_due_at = due;
	s.at = at;
	wb_strlcpy(s.note, note, sizeof(s.note));
	return store_step_add(c, &s);
}

/* The units a request of each kind goes to (codes of domain/units.c), what
 * they are asked, the fields granted and what they answer. */
typedef struct demo_ref {
	const char *unit, *ask, *fields, *result;
} demo_ref;
static const demo_ref demo_refs[][2] = {
	{{"medical_insurance", "请核定医保报销和医疗救助比例，协调定点医院减免。", "health",
	  "已按困难儿童政策提高报销比例，医院减免部分自付费用。"},
	 {"civil_affairs", "请评估家庭情况，办理临时救助。", "guardians,family", "已发放临时救助金 3000 元。"}},
	{{"education", "请落实教育资助，学校安排结对帮扶和学业辅导。", "school",
	  "已纳入学生资助，班主任结对帮扶，每周辅导两次。"},
	 {"county_charity", "请协调助学金。", "family", "已资助助学金每学期 1000 元。"}},
	{{"civil_affairs", "请核查低保和临时救助条件，尽快办理。", "guardians,family",
	  "已纳入低保，发放临时救助和冬季物资。"},
	 {"county_charity", "请协调冬季衣物和取暖物资。", "family", "已送去棉衣、棉被和取暖用煤。"}},
	{{"civil_affairs", "请评估监护状况，落实委托照护和监护支持。", "guardians,family",
	  "已明确委托照护人，签订照护协议，纳入重点关注。"},
	 {NULL, NULL, NULL, NULL}},
	{{"education", "请安排学校心理老师评估并定期辅导。", "school,health",
	  "心理老师已评估，每两周辅导一次，家长已沟通。"},
	 {NULL, NULL, NULL, NULL}},
};

typedef struct centre_ctx {
	demo_job *j;
	const deadline_config *cfg;
	int64_t centre, director, station, id, child_id;
	const char *town;
	int kind;
} centre_ctx;

static int64_t first_member(store_conn *c, const char *role, const char *area, int64_t unit)
{
	store_stmt *st = NULL;
	int64_t id = 0;
	int rc = area ? conn_query(
				c, &st,
				"SELECT user_id FROM memberships WHERE role = ? AND area_code = ? ORDER BY id LIMIT 1",
				"ss", role, area)
		      : conn_query(c, &st,
				   "SELECT user_id FROM memberships WHERE role = ? AND unit_id = ? ORDER BY id LIMIT 1",
				   "si", role, unit);

	return stmt_result_int64(c, st, rc, WB_OK, &id) == WB_OK ? id : 0;
}

static int64_t unit_by_code(store_conn *c, const char *code)
{
	store_stmt *st = NULL;
	int64_t id = 0;
	int rc = conn_query(c, &st, "SELECT id FROM units WHERE county_code = ? AND code = ?", "ss", DEFAULT_COUNTY,
			    code);

	return stmt_result_int64(c, st, rc, WB_OK, &id) == WB_OK ? id : 0;
}

static int add_step(store_conn *c, const char *town, int64_t req, const char *action, const char *from, const char *to,
		    int64_t actor, const char *role, int64_t started, int64_t due, int64_t at, const char *note);

/* The referrals of a centre request and their steps: pending (at is the
 * referral's start), accepted, or done by now with the unit's result.
 * *ended_out: when the last one ended. */
static int centre_referrals(store_conn *c, const centre_ctx *x, const char *state, int64_t at, int64_t *ended_out)
{
	int rc = WB_OK;

	*ended_out = 0;
	for (int u = 0; rc == WB_OK && u < 2 && demo_refs[x->kind][u].unit; u++) {
		const demo_ref *d = &demo_refs[x->kind][u];
		int64_t unit = unit_by_code(c, d->unit), hand = first_member(c, "department", NULL, unit);
		int64_t accepted = at + (8 + 4 * u) * 3600, done = at + (7 + 2 * u) * 86400;
		const char *hand_role = "department";
		referral_rec *f = calloc(1, sizeof(*f));
		step_rec *s = calloc(1, sizeof(*s));

		if (!hand) { /* a charity: its own staff */
			hand = first_member(c, "org", NULL, unit);
			hand_role = "org";
		}
		if (!f || !s || !unit) {
			free(f);
			free(s);
			return unit ? WB_ENOMEM : WB_OK;
		}
		wb_strlcpy(f->county_code, DEFAULT_COUNTY, sizeof(f->county_code));
		f->request_id = x->id;
		f->child_id = x->child_id;
		f->unit_id = unit;
		wb_strlcpy(f->ask, d->ask, sizeof(f->ask));
		wb_strlcpy(f->fields, d->fields, sizeof(f->fields));
		wb_strlcpy(f->state, state, sizeof(f->state));
		f->state_since = strcmp(state, "pending") == 0 ? at : strcmp(state, "accepted") == 0 ? accepted : done;
		f->step_due_at =
			strcmp(state, "done") == 0
				? 0
				: loop_referral_due(x->cfg, strcmp(state, "pending") == 0 ? RS_PENDING : RS_ACCEPTED, 0,
						    0, f->state_since);
		f->created_by = x->centre;
		f->created_at = at;
		f->updated_at = f->state_since;
		rc = store_referral_insert(c, f);
		if (rc == WB_OK)
			x->j->n_referrals++;
		if (rc == WB_OK && strcmp(state, "done") == 0) {
			rc = conn_query(c, NULL, "UPDATE referrals SET result = ?, ended_at = ? WHERE id = ?", "sii",
					d->result, done, f->id);
			rc = rc < 0 ? rc : WB_OK;
			if (done > *ended_out)
				*ended_out = done;
		}
		/* the unit's own timeline: referred, accepted, done */
		if (rc == WB_OK) {
			wb_strlcpy(s->county_code, DEFAULT_COUNTY, sizeof(s->county_code));
			wb_strlcpy(s->township_code, x->town, sizeof(s->township_code));
			s->request_id = x->id;
			s->referral_id = f->id;
			s->unit_id = unit;
			wb_strlcpy(s->action, "refer", sizeof(s->action));
			wb_strlcpy(s->to_state, "pending", sizeof(s->to_state));
			s->actor_id = x->centre;
			wb_strlcpy(s->actor_role, "center", sizeof(s->actor_role));
			s->at = at;
			wb_strlcpy(s->note, d->ask, sizeof(s->note));
			rc = store_step_add(c, s);
		}
		if (rc == WB_OK && strcmp(state, "pending") != 0) {
			wb_strlcpy(s->action, "referral_accept", sizeof(s->action));
			wb_strlcpy(s->from_state, "referral_pending", sizeof(s->from_state));
			wb_strlcpy(s->to_state, "accepted", sizeof(s->to_state));
			s->actor_id = hand;
			wb_strlcpy(s->actor_role, hand_role, sizeof(s->actor_role));
			s->stage_started_at = at;
			s->stage_due_at = loop_referral_due(x->cfg, RS_PENDING, 0, 0, at);
			s->at = accepted;
			s->note[0] = '\0';
			rc = store_step_add(c, s);
		}
		if (rc == WB_OK && strcmp(state, "done") == 0) {
			wb_strlcpy(s->action, "referral_complete", sizeof(s->action));
			wb_strlcpy(s->from_state, "referral_accepted", sizeof(s->from_state));
			wb_strlcpy(s->to_state, "done", sizeof(s->to_state));
			s->stage_started_at = accepted;
			s->stage_due_at = loop_referral_due(x->cfg, RS_ACCEPTED, 0, 0, accepted);
			s->at = done;
			wb_strlcpy(s->note, d->result, sizeof(s->note));
			rc = store_step_add(c, s);
		}
		free(f);
		free(s);
	}
	return rc;
}

/*
 * A request that goes up to the centre (see make_requests), filed at t0: to
 * the end (closed, when there has been time) or waiting at stage (0 the
 * centre's acceptance, 1 its referral, 2 a unit's acceptance, 3 a unit's
 * work). Returns the request's id in x->id.
 */
static int centre_path(store_conn *c, centre_ctx *x, int64_t t0, int closed, int stage)
{
	static const char *const results[] = {"县中心汇总：医保提高报销比例并减免部分费用，民政发放临时救助金。",
					      "县中心汇总：孩子已纳入学生资助，学校结对帮扶，慈善总会资助助学金。",
					      "县中心汇总：家庭已纳入低保，慈善总会送去冬季物资。",
					      "县中心汇总：已明确委托照护人并签订照护协议。",
					      "县中心汇总：学校心理老师定期辅导，家长已沟通。"};
	int64_t day = 86400, h = 3600, fwd = t0 + 2 * day, acc = fwd + 6 * h, ref = t0 + 3 * day, ended = 0;
	int64_t sent = 0, fed = 0, closed_at = 0, since, due;
	const char *state;
	int rc;

	if (closed) {
		state = "closed";
	} else {
		static const char *const open_states[] = {"forwarded", "accepted", "referred", "referred"};

		state = open_states[stage & 3];
	}
	since = strcmp(state, "forwarded") == 0 ? fwd : strcmp(state, "accepted") == 0 ? acc : ref;
	due = loop_state_due(x->cfg,
			     strcmp(state, "forwarded") == 0  ? CS_FORWARDED
			     : strcmp(state, "accepted") == 0 ? CS_ACCEPTED
							      : CS_REFERRED,
			     0, since);
	rc = conn_query(c, NULL,
			"UPDATE help_requests SET state = ?, state_since = ?, step_due_at = ?, "
			"handled_by = 'centre', updated_at = ? WHERE id = ?",
			"siiii", state, since, due, since, x->id);
	rc = rc < 0 ? rc : WB_OK;
	if (rc == WB_OK && !due)
		rc = conn_query(c, NULL, "UPDATE help_requests SET step_due_at = NULL WHERE id = ?", "i", x->id) < 0
			     ? WB_ESTORE
			     : WB_OK;
	if (rc == WB_OK)
		rc = add_step(c, x->town, x->id, "review", "reported", "township_review", x->station, "station", t0,
			      loop_state_due(x->cfg, CS_REPORTED, 0, t0), t0 + day, "");
	if (rc == WB_OK)
		rc = add_step(c, x->town, x->id, "forward", "township_review", "forwarded", x->station, "station",
			      t0 + day, loop_state_due(x->cfg, CS_TOWNSHIP_REVIEW, 0, t0 + day), fwd,
			      "超出乡镇办理能力，报请县中心协调相关部门。");
	if (rc == WB_OK && strcmp(state, "forwarded") != 0)
		rc = add_step(c, x->town, x->id, "accept", "forwarded", "accepted", x->centre, "center", fwd,
			      loop_state_due(x->cfg, CS_FORWARDED, 0, fwd), acc, "");
	if (rc == WB_OK && strcmp(state, "forwarded") != 0 && strcmp(state, "accepted") != 0) {
		rc = add_step(
			c, x->town, x->id, "refer", "accepted", "referred", x->centre, "center", acc,
			loop_state_due(x->cfg, CS_ACCEPTED, 0, acc), ref,
			"按求助类型转相关部门办理，请各单位在期限内反馈。"); /* each unit's ask is its referral's */
		if (rc == WB_OK)
			rc = centre_referrals(c, x,
					      closed             ? "done"
					      : (stage & 3) == 2 ? "pending"
								 : "accepted",
					      ref, &ended);
	}
	if (rc == WB_OK && closed) {
		sent = ended + day;
		fed = sent + 2 * day;
		closed_at = fed + day;
		rc = add_step(c, x->town, x->id, "referrals_complete", "referred", "referrals_done", 0, "system", ref,
			      0, ended, "");
		if (rc == WB_OK)
			rc = add_step(c, x->town, x->id, "send_result", "referrals_done", "result_sent", x->centre,
				      "center", ended, loop_state_due(x->cfg, CS_REFERRALS_DONE, 0, ended), sent,
				      results[x->kind]);
		if (rc == WB_OK)
			rc = add_step(c, x->town, x->id, "deliver_feedback", "result_sent", "feedback_delivered",
				      x->director, "director", sent, loop_state_due(x->cfg, CS_RESULT_SENT, 0, sent),
				      fed, "已将各部门的帮扶结果当面告知孩子和监护人，家庭表示满意。");
		if (rc == WB_OK)
			rc = add_step(c, x->town, x->id, "close", "feedback_delivered", "closed", x->centre, "center",
				      fed, loop_state_due(x->cfg, CS_FEEDBACK_DELIVERED, 0, fed), closed_at, "");
		if (rc == WB_OK)
			rc = conn_query(c, NULL,
					"UPDATE help_requests SET state_since = ?, step_due_at = NULL, result = ?, "
					"feedback = ?, feedback_rating = 'satisfied', feedback_at = ?, closed_at = ?, "
					"updated_at = ? WHERE id = ?",
					"issiiii", closed_at, results[x->kind],
					"已将各部门的帮扶结果当面告知孩子和监护人，家庭表示满意。", fed, closed_at,
					closed_at, x->id) < 0
				     ? WB_ESTORE
				     : WB_OK;
	}
	return rc;
}

static int make_requests(store_conn *c, demo_job *j)
{
	static const char *const kinds[] = {"medical", "schooling", "living_hardship", "guardianship", "psychological"};
	static const char *const asks[] = {"孩子患病需要医疗救助，家庭负担重。", "孩子面临辍学风险，需要助学帮扶。",
					   "家中生活困难，冬季取暖和衣物不足。", "父母外出务工，祖辈年迈，监护不到位。",
					   "孩子近期情绪低落，需要心理疏导。"};
	static const char *const results[] = {"已协调申请临时救助并联系医院减免部分费用。",
					      "已落实教育资助，学校安排结对帮扶。", "已发放临时救助金和冬季物资。",
					      "已明确委托照护人并签订照护协议。", "已安排学校心理老师和社工定期辅导。"};
	store_stmt *st = NULL;
	demo_req *reqs = NULL;
	deadline_config *cfg = NULL;
	int64_t centre = 0;
	size_t n = 0, cap = 0;
	int rc = conn_query(
		c, &st,
		"SELECT c.id, COALESCE(c.director_id, 0), c.village_code, COALESCE(c.birth_date, '') FROM children c "
		"WHERE c.county_code = ? "
		"AND c.id IN (SELECT k.child_id FROM child_categories k WHERE k.state = 'confirmed') ORDER BY "
		"c.id",
		"s", DEFAULT_COUNTY);
	int k = 0;

	while (rc == STORE_ROW) {
		if (k++ % 8 == 3 && stmt_int64(c, st, 1)) {
			rc = wb_grow(&reqs, n, &cap, sizeof(*reqs), 64, 1u << 20);
			if (rc)
				break;
			reqs[n].child_id = stmt_int64(c, st, 0);
			reqs[n].director = stmt_int64(c, st, 1);
			stmt_copy(c, st, 2, reqs[n].village, sizeof(reqs[n].village));
			{
				const char *birth = stmt_text(c, st, 3);

				reqs[n].age =
					birth[0] ? category_age(registry_config(), date_ymd(birth), j->today) : -1;
			}
			n++;
		}
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	rc = rc < 0 ? rc : WB_OK;
	if (rc == WB_OK) {
		cfg = malloc(sizeof(*cfg));
		rc = cfg ? loop_config_load(c, DEFAULT_COUNTY, cfg) : WB_ENOMEM;
	}
	if (rc == WB_OK)
		centre = first_member(c, "center", DEFAULT_COUNTY, 0);
	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		const demo_req *q = &reqs[i];
		int kind = rndn(&j->r, (int)WB_ARRAY_LEN(kinds)), fate = rndn(&j->r, 10);
		/* no schooling request for a child not yet of school age: a
		 * medical one (the draws stay as they were) */
		if (kind == 1 && q->age >= 0 && q->age < 6)
			kind = 0;
		/* one in four goes up to the centre (drawn without the generator,
		 * so that everything else of the demo stays as it was) */
		int up = i % 4 == 1 && centre, stage = (int)(i / 4) % 4, back = (int)(i / 16) % 3;
		int64_t filed = j->now - (int64_t)(2 + rndn(&j->r, 170)) * 86400 - rndn(&j->r, 36000);
		int64_t station = 0, id = 0, day = 86400;
		const char *state = fate < 7 ? "closed" : fate < 9 ? "township_review" : "reported";
		int64_t since = fate < 7 ? filed + 6 * day : fate < 9 ? filed + day : filed;
		int64_t due = fate < 7 ? 0 : fate < 9 ? since + 5 * day : since + day;
		char town[10];

		wb_strlcpy(town, q->village, sizeof(town));
		rc = conn_query(
			c, &st,
			"SELECT m.user_id FROM memberships m WHERE m.role = 'station' AND m.area_code = ? ORDER BY "
			"m.id LIMIT 1",
			"s", town);
		rc = stmt_result_int64(c, st, rc, WB_OK, &station);
		if (rc)
			break;
		/* the open ones are recent: a new report some hours old, a review
		 * under way for up to nine days (the deadline is three working
		 * days); a closed one ended before now */
		if (fate >= 9)
			filed = j->now - 3600 - (int64_t)rndn(&j->r, 20) * 3600;
		else if (fate >= 7)
			filed = j->now - day - 3600 - (int64_t)rndn(&j->r, 9) * day;
		else if (filed > j->now - 7 * day)
			filed = j->now - 7 * day - 3600;
		since = fate < 7 ? filed + 6 * day : fate < 9 ? filed + day : filed;
		due = fate < 7 ? 0 : loop_state_due(cfg, fate < 9 ? CS_TOWNSHIP_REVIEW : CS_REPORTED, 0, since);
		if (up && !(fate < 7 && filed + 20 * day <= j->now)) {
			/* still under way: recent enough to wait where it is, every
			 * step of it already taken (the centre's acceptance 2 days
			 * 6 hours after filing, the referral 3 days after) */
			up = 2;
			filed = j->now - (int64_t)((stage < 2 ? 3 : 4) + back) * day - 2 * 3600;
		}
		if (up) {
			/* a plain report for now: centre_path takes it further */
			fate = 9;
			since = filed;
			due = 0;
		}
		rc = conn_query(
			c, &st,
			"INSERT INTO help_requests (county_code, township_code, village_code, child_id, kind, urgency, "
			"narrative, source, state, state_since, step_due_at, handled_by, reporter_id, reporter_role, "
			"result, feedback, feedback_rating, feedback_at, version, created_at, updated_at, closed_at) "
			"VALUES (?, ?, ?, ?, ?, 'normal', ?, 'director', ?, ?, ?, 'township', ?, 'director', ?, ?, ?, "
			"?, 1, ?, ?, ?) RETURNING id",
			"sssisssiiisssiiii", DEFAULT_COUNTY, town, q->village, q->child_id, kinds[kind], asks[kind],
			state, since, due ? due : (int64_t)0, q->director, fate < 7 ? results[kind] : NULL,
			fate < 7 ? "已将帮扶结果当面告知孩子和监护人，家庭表示感谢。" : NULL,
			fate < 7 ? (fate < 5 ? "satisfied" : "basically_satisfied") : NULL,
			fate < 7 ? filed + 5 * day : (int64_t)0, filed, since, fate < 7 ? since : (int64_t)0);
		rc = stmt_result_int64(c, st, rc, WB_ESTORE, &id);
		if (rc == WB_OK && !due)
			rc = conn_query(c, NULL, "UPDATE help_requests SET step_due_at = NULL WHERE id = ?", "i", id);
		if (rc == WB_OK && fate < 7)
			rc = conn_query(c, NULL, "UPDATE help_requests SET feedback_at = ?, closed_at = ? WHERE id = ?",
					"iii", filed + 5 * day, since, id);
		else if (rc == WB_OK)
			rc = conn_query(c, NULL,
					"UPDATE help_requests SET feedback_at = NULL, closed_at = NULL WHERE id = ?",
					"i", id);
		rc = rc < 0 ? rc : WB_OK;
		/* the timeline */
		if (rc == WB_OK)
			rc = add_step(c, town, id, "file", "", "reported", q->director, "director", 0, 0, filed,
				      asks[kind]);
		if (rc == WB_OK && fate < 9)
			rc = add_step(c, town, id, "review", "reported", "township_review", station, "station", filed,
				      loop_state_due(cfg, CS_REPORTED, 0, filed), filed + day, "");
		if (rc == WB_OK && fate < 7)
			rc = add_step(c, town, id, "resolve", "township_review", "resolved_locally", station, "station",
				      filed + day, loop_state_due(cfg, CS_TOWNSHIP_REVIEW, 0, filed + day),
				      filed + 3 * day, results[kind]);
		if (rc == WB_OK && fate < 7)
			rc = add_step(c, town, id, "deliver_feedback", "resolved_locally", "feedback_delivered",
				      q->director, "director", filed + 3 * day,
				      loop_state_due(cfg, CS_RESOLVED_LOCALLY, 0, filed + 3 * day), filed + 5 * day,
				      "已将帮扶结果当面告知孩子和监护人，家庭表示感谢。");
		if (rc == WB_OK && fate < 7)
			rc = add_step(c, town, id, "close", "feedback_delivered", "closed", station, "station",
				      filed + 5 * day, loop_state_due(cfg, CS_FEEDBACK_DELIVERED, 0, filed + 5 * day),
				      since, "");
		if (rc == WB_OK && up) {
			centre_ctx x = {j, cfg, centre, q->director, station, id, q->child_id, town, kind};

			rc = centre_path(c, &x, filed, up == 1, stage);
			if (rc == WB_OK)
				j->n_up++;
		}
		/* a follow-up visit a month after closing for some of them: the
		 * older ones are overdue, as a real list would have */
		if (rc == WB_OK && fate < 2) {
			char made[11], due_on[11], window[11];
			int made_ymd = clock_ymd_of(since);

			date_format(made_ymd, made);
			date_format(date_add_days(made_ymd, 30), due_on);
			rc = conn_query(c, NULL,
					"INSERT INTO follow_ups (county_code, request_id, child_id, due_on, note, "
					"created_on, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					"siisssii", DEFAULT_COUNTY, id, q->child_id, due_on,
					"结案一个月后回访，看帮扶是否落实、孩子情况有无变化。", made, since, station);
			/* done by the child's first visit in its window, as
			 * recording a visit does (store_follow_ups_complete): after
			 * the day it was made, in the week before its day or later
			 * (the demo's visits were made first) */
			date_format(date_add_days(made_ymd, 30 - FOLLOW_UP_WINDOW_DAYS), window);
			if (rc >= 0)
				rc = conn_query(
					c, NULL,
					"UPDATE follow_ups SET visit_id = (SELECT v.id FROM visits v WHERE v.child_id "
					"= follow_ups.child_id AND v.voided_at IS NULL AND v.visited_on > "
					"follow_ups.created_on AND v.visited_on >= ? ORDER BY v.visited_on, v.id "
					"LIMIT 1) WHERE request_id = ? AND visit_id IS NULL",
					"si", window, id);
			rc = rc < 0 ? rc : WB_OK;
		}
		if (rc == WB_OK)
			j->n_requests++;
	}
	free(reqs);
	free(cfg);
	/* the day of the visit that completed each follow-up (above) */
	if (rc == WB_OK)
		rc = conn_exec(c, "UPDATE follow_ups SET done_on = (SELECT v.visited_on FROM visits v WHERE v.id = "
				  "follow_ups.visit_id) WHERE visit_id IS NOT NULL AND done_on IS NULL");
	/* each delivery's step carries the family's rating, as delivering does */
	if (rc == WB_OK)
		rc = conn_exec(c, "UPDATE request_steps SET rating = (SELECT q.feedback_rating FROM help_requests q "
				  "WHERE q.id = request_steps.request_id AND q.feedback_at = request_steps.at) WHERE "
				  "action = 'deliver_feedback' AND rating IS NULL");
	return rc;
}

static int demo_fn(store_conn *c, void *arg)
{
	demo_job *j = arg;
	int rc = store_load_commit_durable(c); /* for the VACUUM after it */

	if (rc == WB_OK)
		rc = make_areas_and_people(c, j);
	if (rc == WB_OK)
		rc = make_units(c, j);
	if (rc == WB_OK)
		rc = make_children(c, j);
	if (rc == WB_OK)
		rc = make_visits(c, j);
	if (rc == WB_OK)
		rc = make_entitlements(c, j);
	if (rc == WB_OK)
		rc = make_projects(c, j);
	if (rc == WB_OK)
		rc = make_talks(c, j);
	if (rc == WB_OK)
		rc = make_schools(c, j);
	if (rc == WB_OK)
		rc = make_programmes(c, j);
	if (rc == WB_OK)
		rc = make_requests(c, j);
	return rc;
}

int cmd_demo(cli_env *env, int argc, char **argv)
{
	const char *password = cli_flag(argc, argv, "--password");
	const char *seed_s = cli_flag(argc, argv, "--seed");
	const char *children_s = cli_flag(argc, argv, "--children");
	char pw[24], hash[SEC_PWHASH_MAX];
	long long seed = 370831, nchildren = 150000;
	int64_t t0 = clock_mono_ms();
	const char *why;
	area_rec existing;
	audit_entry e;
	demo_job j;
	store_conn *c;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao demo [--db URL] [--password PW] [--seed N] [--children N]\n"
			"Creates the synthetic demo county 370831 in an empty database. Every demo account gets\n"
			"the same password (generated and printed unless --password is given).\n");
		return 0;
	}
	if ((seed_s && wb_parse_int64(seed_s, 0, INT64_MAX, &seed) != WB_OK) ||
	    (children_s && wb_parse_int64(children_s, 0, 1000000, &nchildren) != WB_OK)) {
		fprintf(stderr, "weibao demo: --seed and --children take whole numbers (children at most 1000000)\n");
		return 2;
	}
	if (password && sec_password_policy(password, &why) != WB_OK) {
		fprintf(stderr, "weibao demo: --password: %s\n", why);
		return 2;
	}
	if (cli_open(env, 1, 1) != 0)
		return 1;
	c = store_acquire(env->db);
	rc = store_area_get(c, "370831001", &existing);
	store_release(c);
	if (rc == WB_OK) {
		fprintf(stderr, "weibao demo: the demo county is already in this database\n");
		return 1;
	}
	if (!password) {
		sec_password_generate(pw);
		password = pw;
	}
	if (sec_password_hash(password, hash) != WB_OK)
		return 1;
	memset(&j, 0, sizeof(j));
	j.env = env;
	j.r.s = (uint64_t)seed;
	j.hash = hash;
	j.now = clock_now();
	j.today = clock_today_ymd();
	j.children_target = (long)nchildren;
	j.villages = calloc(1024, sizeof(*j.villages));
	j.village_grid = calloc(1024, sizeof(*j.village_grid));
	j.village_director = calloc(1024, sizeof(*j.village_director));
	j.ids_cap = (size_t)nchildren * 2 + 1024;
	j.ids = calloc(j.ids_cap, sizeof(*j.ids));
	j.schools = calloc(128, sizeof(*j.schools));
	j.school_township = calloc(128, sizeof(*j.school_township));
	if (!j.villages || !j.village_grid || !j.village_director || !j.ids || !j.schools || !j.school_township) {
		rc = WB_ENOMEM;
		goto out;
	}
	cli_audit_entry(&e, DEFAULT_COUNTY, "demo.create", "county", DEFAULT_COUNTY);
	wb_snprintf(e.detail, sizeof(e.detail), "{\"seed\":%lld,\"children\":%lld}", seed, nchildren);
	rc = audit_submit_alone(env->audit, &e, demo_fn, &j);
	if (rc == WB_OK && j.n_children > 0) {
		/* statistics for the planner, now that the tables are full (not
		 * for an empty registry: PostgreSQL would then plan scans of
		 * tables it believes empty), and the visibility map */
		store_conn *sc = store_acquire(env->db);

		store_after_load(sc);
		store_release(sc);
	}
	if (rc) {
		fprintf(stderr, "weibao demo: failed: %s (nothing was created)\n", wb_strerror(rc));
		goto out;
	}
	printf("demo county 370831 泗水县 created in %.1f s: %d areas (%d villages/communities, %d grids), "
	       "%d units (%d schools), %d accounts, %ld children\n"
	       "focus children: %d rural left-behind, %d orphans, %d de facto unsupported, %d in difficulty "
	       "(%d category rows confirmed), %d visits, %d benefit policies with %d receipts, %d charity projects, %d "
	       "talks, %d help requests (%d through the centre, with %d referrals to departments and charities), %d "
	       "caring mothers paired, %d supporting programmes (%d parents came home)\n",
	       (double)(clock_mono_ms() - t0) / 1000.0, j.n_areas, j.n_villages, j.n_grids, j.n_units, j.n_schools,
	       j.n_users, j.n_children, j.n_left_behind, j.n_orphan, j.n_unsupported, j.n_difficulty, j.n_confirmed,
	       j.n_visits, j.n_policies, j.n_receipts, j.n_projects, j.n_talks, j.n_requests, j.n_up, j.n_referrals,
	       j.n_mothers, j.n_programmes, j.n_returns);
	printf("demo accounts (all with password %s): admin, center, committee, auditor, station, supervisor,\n"
	       "  director, director2, grid, department, org, school (and station01..13, supervisor01..13,\n"
	       "  dir<village code>, grid<grid code>, dept_<code>, org_<code>, school01..92)\n",
	       password);
out:
	free(j.villages);
	free(j.village_grid);
	free(j.village_director);
	free(j.ids);
	free(j.schools);
	free(j.school_township);
	return rc ? 1 : 0;
}
