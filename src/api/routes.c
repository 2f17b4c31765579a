/*
 * The route table: every API endpoint, its handler and whether it needs a
 * session. HTTP_INLINE marks the short reads that run on the event threads
 * (see src/http/http.h); everything else runs on a worker thread.
 * docs/openapi.yaml must list exactly these (a test compares).
 */
#include "api.h"
#include "loop.h"

#define R(name, flags) static const api_route rt_##name = {api_##name, flags, NULL, NULL, NULL, NULL, NULL, NULL}
/* a route of children's data: a refusal is audited under this action */
#define RC(name, action) static const api_route rt_##name = {api_##name, 0, action, NULL, NULL, NULL, NULL, NULL}
/* an administrator's change of the county's accounts, areas or units (or
 * the audit log's report): a refusal is audited under this action, of this
 * record type */
#define RO(name, flags, action, object) \
	static const api_route rt_##name = {api_##name, flags, action, NULL, NULL, object, NULL, NULL}
/* a list whose download (?format=csv or xlsx) names people: a refused
 * download is audited under the download's own action and record type */
#define RX(name, action, object) \
	static const api_route rt_##name = {api_##name, 0, NULL, NULL, NULL, NULL, action, object}

R(login, API_PUBLIC);
R(logout, API_FIRST_LOGIN);
R(me, API_FIRST_LOGIN);
R(password, API_FIRST_LOGIN);
R(switch_membership, 0);
R(areas_list, 0);
R(area_get, 0);
RO(areas_import, 0, "area.import", "area");
R(area_directors, 0);
R(units_list, 0);
RO(unit_create, 0, "unit.create", "unit");
RO(unit_update, 0, "unit.update", "unit");
RO(units_import, 0, "unit.import", "unit");
RC(children_create, "child.create");
RC(children_list, "child.list");
RC(child_get, "child.read");
RC(child_update, "child.update");
RC(child_history, "child.history");
RO(audit_list, 0, "audit.read", "audit_log");
R(audit_verify, 0);
RO(audit_export, 0, "audit.export", "audit_log");
RX(users_list, "user.export", "user");
R(system_status, 0);
RO(user_create, API_NO_REPLAY, "user.create", "user");
RO(user_update, 0, "user.update", "user");
RO(users_import, API_NO_REPLAY, "user.import", "user");
RO(user_lock, 0, "user.lock", "user");
RO(user_unlock, 0, "user.unlock", "user");
RO(user_password_reset, API_NO_REPLAY, "user.password_reset", "user");
RO(membership_add, 0, "membership.add", "user");
RO(membership_remove, 0, "membership.remove", "user");
RC(child_category, "category.decide");
RC(children_export, "child.export");
static int may_import(const sec_principal *p)
{
	return p->def->write_children;
}
static int may_reconcile(const sec_principal *p)
{
	return p->def->export_children;
}
static const api_route rt_imports_create = {
	api_imports_create, 0, NULL, may_import, "your role may not import children", NULL, NULL, NULL};
R(import_get, 0);
R(import_report, 0);
R(import_fields, 0);
R(import_template, 0);
static const api_route rt_reconcile = {api_reconcile, 0,    NULL, may_reconcile, "your role may not reconcile lists",
				       NULL,          NULL, NULL};
R(categories_review, 0);
R(category_ends, 0);
R(requests_create, 0);
RX(requests_list, "request.export", "request");
R(request_get, 0);
R(request_action, 0);
R(request_comment, 0);
R(request_attach, 0);
R(request_attachment, 0);
R(referrals_list, 0);
R(referral_action, 0);
R(inbox_list, 0);
R(inbox_read, 0);
R(inbox_read_all, 0);
R(webhooks_list, 0);
R(webhooks_set, 0);
R(webhook_deliveries, 0);
R(loop_config_get, 0);
R(loop_config_put, 0);
R(loop_metrics, 0);
RC(child_visits, "child.visits");
RC(child_visit_create, "visit.create");
RC(child_visit_void, "visit.void");
RX(visits_plan, "visit.plan_export", "child");
R(visits_config_get, 0);
R(visits_config_put, 0);
R(visits_scorecard, 0);
R(director_review_put, 0);
R(policies_list, 0);
R(policy_get, 0);
R(policy_create, 0);
R(policy_version_create, 0);
R(policy_version_withdraw, 0);
R(policy_end, 0);
RX(entitlements_list, "entitlement.export", "child");
RX(entitlements_ledger, "entitlement.ledger_export", "child");
R(entitlement_end, 0);
RC(child_entitlements, "child.entitlements");
RC(child_entitlement_create, "entitlement.start");
RC(gap_check_create, "entitlement.check");
RX(projects_list, "project.export", "project");
RX(project_get, "project.export", "project");
R(project_create, 0);
R(project_update, 0);
R(project_child_add, 0);
R(project_child_remove, 0);
R(project_fund_add, 0);
R(project_fund_reverse, 0);
RC(child_projects, "child.projects");
R(report_monthly, 0);
R(report_trends, 0);
RC(child_archive, "child.archive");
RC(child_restore, "child.restore");
RC(children_archived, "child.list_archived");
R(archive_config_get, 0);
R(archive_config_put, 0);
R(talks_list, 0);
R(talk_create, 0);
R(talk_update, 0);
R(talk_delete, 0);
R(schools_list, 0);
RX(programmes_list, "programme.export", "programme");
R(programme_create, 0);
R(programme_get, 0);
R(programme_update, 0);
R(programme_return_create, 0);
R(school_rooms_put, 0);
RX(school_counselling, "counselling.export", "school");
R(school_counselling_create, 0);
R(school_counselling_void, 0);
RC(child_care, "child.care");
RX(caring_mothers, "caring.export", "caring_mother");
R(caring_mother_create, 0);
R(caring_mother_get, 0);
R(caring_mother_update, 0);
R(caring_pair_create, 0);
R(caring_pair_end, 0);
R(overview, 0);
R(request_follow_up_create, 0);
R(follow_ups_list, 0);
R(follow_up_cancel, 0);

const http_route api_routes[] = {
	{"GET", "/healthz", api_healthz, NULL, 0, HTTP_INLINE},
	{"POST", "/api/v1/login", api_entry, &rt_login, 0, 0},
	{"POST", "/api/v1/logout", api_entry, &rt_logout, 0, 0},
	{"GET", "/api/v1/me", api_entry, &rt_me, 0, HTTP_INLINE},
	{"POST", "/api/v1/me/password", api_entry, &rt_password, 0, 0},
	{"POST", "/api/v1/me/membership", api_entry, &rt_switch_membership, 0, 0},
	{"GET", "/api/v1/areas", api_entry, &rt_areas_list, 0, 0},
	{"POST", "/api/v1/areas/import", api_entry, &rt_areas_import, 0, 0},
	{"GET", "/api/v1/areas/{code}", api_entry, &rt_area_get, 0, 0},
	{"GET", "/api/v1/areas/{code}/directors", api_entry, &rt_area_directors, 0, 0},
	{"GET", "/api/v1/units", api_entry, &rt_units_list, 0, 0},
	{"POST", "/api/v1/units", api_entry, &rt_unit_create, 0, 0},
	{"POST", "/api/v1/units/import", api_entry, &rt_units_import, 0, 0},
	{"PATCH", "/api/v1/units/{id}", api_entry, &rt_unit_update, 0, 0},
	{"POST", "/api/v1/children", api_entry, &rt_children_create, 0, 0},
	{"GET", "/api/v1/children", api_entry, &rt_children_list, 0, 0},
	{"GET", "/api/v1/children/export", api_entry, &rt_children_export, 0, 0},
	{"GET", "/api/v1/children/archived", api_entry, &rt_children_archived, 0, 0},
	{"POST", "/api/v1/children/{id}/archive", api_entry, &rt_child_archive, 0, 0},
	{"POST", "/api/v1/children/{id}/restore", api_entry, &rt_child_restore, 0, 0},
	{"GET", "/api/v1/registry/archive-config", api_entry, &rt_archive_config_get, 0, 0},
	{"GET", "/api/v1/talks", api_entry, &rt_talks_list, 0, 0},
	{"POST", "/api/v1/talks", api_entry, &rt_talk_create, 0, 0},
	{"PATCH", "/api/v1/talks/{id}", api_entry, &rt_talk_update, 0, 0},
	{"DELETE", "/api/v1/talks/{id}", api_entry, &rt_talk_delete, 0, 0},
	{"GET", "/api/v1/schools", api_entry, &rt_schools_list, 0, 0},
	{"GET", "/api/v1/programmes", api_entry, &rt_programmes_list, 0, 0},
	{"POST", "/api/v1/programmes", api_entry, &rt_programme_create, 0, 0},
	{"GET", "/api/v1/programmes/{id}", api_entry, &rt_programme_get, 0, 0},
	{"PATCH", "/api/v1/programmes/{id}", api_entry, &rt_programme_update, 0, 0},
	{"POST", "/api/v1/programmes/{id}/returns", api_entry, &rt_programme_return_create, 0, 0},
	{"PUT", "/api/v1/schools/{id}/rooms", api_entry, &rt_school_rooms_put, 0, 0},
	{"GET", "/api/v1/schools/{id}/counselling", api_entry, &rt_school_counselling, 0, 0},
	{"POST", "/api/v1/schools/{id}/counselling", api_entry, &rt_school_counselling_create, 0, 0},
	{"POST", "/api/v1/schools/{id}/counselling/{sid}/void", api_entry, &rt_school_counselling_void, 0, 0},
	{"GET", "/api/v1/caring-mothers", api_entry, &rt_caring_mothers, 0, 0},
	{"POST", "/api/v1/caring-mothers", api_entry, &rt_caring_mother_create, 0, 0},
	{"GET", "/api/v1/caring-mothers/{id}", api_entry, &rt_caring_mother_get, 0, 0},
	{"PATCH", "/api/v1/caring-mothers/{id}", api_entry, &rt_caring_mother_update, 0, 0},
	{"POST", "/api/v1/caring-mothers/{id}/pairs", api_entry, &rt_caring_pair_create, 0, 0},
	{"POST", "/api/v1/caring-pairs/{id}/end", api_entry, &rt_caring_pair_end, 0, 0},
	{"GET", "/api/v1/children/{id}/care", api_entry, &rt_child_care, 0, 0},
	{"PUT", "/api/v1/registry/archive-config", api_entry, &rt_archive_config_put, 0, 0},
	{"GET", "/api/v1/children/{id}", api_entry, &rt_child_get, 0, HTTP_INLINE},
	{"PATCH", "/api/v1/children/{id}", api_entry, &rt_child_update, 0, 0},
	{"GET", "/api/v1/children/{id}/history", api_entry, &rt_child_history, 0, 0},
	{"GET", "/api/v1/children/{id}/visits", api_entry, &rt_child_visits, 0, 0},
	{"POST", "/api/v1/children/{id}/visits", api_entry, &rt_child_visit_create, 0, 0},
	{"POST", "/api/v1/children/{id}/visits/{vid}/void", api_entry, &rt_child_visit_void, 0, 0},
	{"GET", "/api/v1/visits/plan", api_entry, &rt_visits_plan, 0, 0},
	{"GET", "/api/v1/overview", api_entry, &rt_overview, 0, 0},
	{"GET", "/api/v1/visits/scorecard", api_entry, &rt_visits_scorecard, 0, 0},
	{"PUT", "/api/v1/directors/{id}/reviews/{period}", api_entry, &rt_director_review_put, 0, 0},
	{"GET", "/api/v1/visits/config", api_entry, &rt_visits_config_get, 0, 0},
	{"PUT", "/api/v1/visits/config", api_entry, &rt_visits_config_put, 0, 0},
	{"GET", "/api/v1/policies", api_entry, &rt_policies_list, 0, 0},
	{"POST", "/api/v1/policies", api_entry, &rt_policy_create, 0, 0},
	{"GET", "/api/v1/policies/{id}", api_entry, &rt_policy_get, 0, 0},
	{"POST", "/api/v1/policies/{id}/versions", api_entry, &rt_policy_version_create, 0, 0},
	{"DELETE", "/api/v1/policies/{id}/versions/{vid}", api_entry, &rt_policy_version_withdraw, 0, 0},
	{"POST", "/api/v1/policies/{id}/end", api_entry, &rt_policy_end, 0, 0},
	{"GET", "/api/v1/entitlements", api_entry, &rt_entitlements_list, 0, 0},
	{"GET", "/api/v1/entitlements/ledger", api_entry, &rt_entitlements_ledger, 0, 0},
	{"POST", "/api/v1/entitlements/{id}/end", api_entry, &rt_entitlement_end, 0, 0},
	{"GET", "/api/v1/children/{id}/entitlements", api_entry, &rt_child_entitlements, 0, 0},
	{"POST", "/api/v1/children/{id}/entitlements", api_entry, &rt_child_entitlement_create, 0, 0},
	{"POST", "/api/v1/children/{id}/entitlements/{policy}/checks", api_entry, &rt_gap_check_create, 0, 0},
	{"GET", "/api/v1/projects", api_entry, &rt_projects_list, 0, 0},
	{"POST", "/api/v1/projects", api_entry, &rt_project_create, 0, 0},
	{"GET", "/api/v1/projects/{id}", api_entry, &rt_project_get, 0, 0},
	{"PATCH", "/api/v1/projects/{id}", api_entry, &rt_project_update, 0, 0},
	{"POST", "/api/v1/projects/{id}/children", api_entry, &rt_project_child_add, 0, 0},
	{"POST", "/api/v1/projects/{id}/children/{child_id}/remove", api_entry, &rt_project_child_remove, 0, 0},
	{"POST", "/api/v1/projects/{id}/funds", api_entry, &rt_project_fund_add, 0, 0},
	{"POST", "/api/v1/projects/{id}/funds/{fid}/reverse", api_entry, &rt_project_fund_reverse, 0, 0},
	{"GET", "/api/v1/children/{id}/projects", api_entry, &rt_child_projects, 0, 0},
	{"GET", "/api/v1/reports/monthly", api_entry, &rt_report_monthly, 0, 0},
	{"GET", "/api/v1/reports/trends", api_entry, &rt_report_trends, 0, 0},
	{"POST", "/api/v1/children/{id}/categories/{category}", api_entry, &rt_child_category, 0, 0},
	{"GET", "/api/v1/categories/review", api_entry, &rt_categories_review, 0, 0},
	{"GET", "/api/v1/stats/category-ends", api_entry, &rt_category_ends, 0, 0},
	{"POST", "/api/v1/imports", api_entry, &rt_imports_create, 64u << 20, 0},
	{"GET", "/api/v1/imports/fields", api_entry, &rt_import_fields, 0, 0},
	{"GET", "/api/v1/imports/template", api_entry, &rt_import_template, 0, 0},
	{"GET", "/api/v1/imports/{id}", api_entry, &rt_import_get, 0, 0},
	{"GET", "/api/v1/imports/{id}/report", api_entry, &rt_import_report, 0, 0},
	{"POST", "/api/v1/reconciliations", api_entry, &rt_reconcile, 64u << 20, 0},
	{"GET", "/api/v1/audit", api_entry, &rt_audit_list, 0, 0},
	{"GET", "/api/v1/audit/verify", api_entry, &rt_audit_verify, 0, 0},
	{"GET", "/api/v1/audit/export", api_entry, &rt_audit_export, 0, 0},
	{"GET", "/api/v1/users", api_entry, &rt_users_list, 0, 0},
	{"POST", "/api/v1/users", api_entry, &rt_user_create, 0, 0},
	{"POST", "/api/v1/users/import", api_entry, &rt_users_import, 0, 0},
	{"PATCH", "/api/v1/users/{id}", api_entry, &rt_user_update, 0, 0},
	{"POST", "/api/v1/users/{id}/lock", api_entry, &rt_user_lock, 0, 0},
	{"POST", "/api/v1/users/{id}/unlock", api_entry, &rt_user_unlock, 0, 0},
	{"POST", "/api/v1/users/{id}/password", api_entry, &rt_user_password_reset, 0, 0},
	{"POST", "/api/v1/users/{id}/memberships", api_entry, &rt_membership_add, 0, 0},
	{"DELETE", "/api/v1/users/{id}/memberships/{mid}", api_entry, &rt_membership_remove, 0, 0},
	{"GET", "/api/v1/system", api_entry, &rt_system_status, 0, 0},
	{"POST", "/api/v1/requests", api_entry, &rt_requests_create, 0, 0},
	{"GET", "/api/v1/requests", api_entry, &rt_requests_list, 0, 0},
	{"GET", "/api/v1/requests/{id}", api_entry, &rt_request_get, 0, 0},
	{"POST", "/api/v1/requests/{id}/actions", api_entry, &rt_request_action, 0, 0},
	{"POST", "/api/v1/requests/{id}/comments", api_entry, &rt_request_comment, 0, 0},
	{"POST", "/api/v1/requests/{id}/attachments", api_entry, &rt_request_attach, 10u << 20, 0},
	{"GET", "/api/v1/requests/{id}/attachments/{aid}", api_entry, &rt_request_attachment, 0, 0},
	{"POST", "/api/v1/requests/{id}/follow-ups", api_entry, &rt_request_follow_up_create, 0, 0},
	{"GET", "/api/v1/follow-ups", api_entry, &rt_follow_ups_list, 0, 0},
	{"POST", "/api/v1/follow-ups/{id}/cancel", api_entry, &rt_follow_up_cancel, 0, 0},
	{"GET", "/api/v1/referrals", api_entry, &rt_referrals_list, 0, 0},
	{"POST", "/api/v1/referrals/{id}/actions", api_entry, &rt_referral_action, 0, 0},
	{"GET", "/api/v1/inbox", api_entry, &rt_inbox_list, 0, 0},
	{"POST", "/api/v1/inbox/read-all", api_entry, &rt_inbox_read_all, 0, 0},
	{"POST", "/api/v1/inbox/{id}/read", api_entry, &rt_inbox_read, 0, 0},
	{"GET", "/api/v1/webhooks", api_entry, &rt_webhooks_list, 0, 0},
	{"POST", "/api/v1/webhooks", api_entry, &rt_webhooks_set, 0, 0},
	{"GET", "/api/v1/webhooks/deliveries", api_entry, &rt_webhook_deliveries, 0, 0},
	{"GET", "/api/v1/loop/config", api_entry, &rt_loop_config_get, 0, 0},
	{"PUT", "/api/v1/loop/config", api_entry, &rt_loop_config_put, 0, 0},
	{"GET", "/api/v1/loop/metrics", api_entry, &rt_loop_metrics, 0, 0},
	{NULL, NULL, NULL, NULL, 0, 0},
};
