/*
 * Charity projects (社会参与, SPEC §7): the kinds of project, their status
 * and the moves between statuses. Pure.
 *
 *   planned (计划) → active (实施中; a hope room: 在建) → done (完成; 建成)
 *   planned or active → cancelled (取消)
 */
#ifndef WB_PROJECT_H
#define WB_PROJECT_H

enum project_kind {
	PK_HOPE_ROOM = 0, /* 希望小屋: a room built for one child */
	PK_ONE_PLUS_N,    /* "1 + N": one child paired with N services */
	PK_SERVICE,       /* a service programme for several children */
	PK_FUNDRAISING,   /* a fundraising drive */
	PK__COUNT
};

enum project_status { PS_PLANNED = 0, PS_ACTIVE, PS_DONE, PS_CANCELLED, PS__COUNT };

const char *project_kind_name(enum project_kind k);
int project_kind_parse(const char *s, enum project_kind *out);
const char *project_status_name(enum project_status s);
int project_status_parse(const char *s, enum project_status *out);
/* 1 if a project may move from one status to the other (a status to
 * itself is no move: 0). */
int project_move_ok(enum project_status from, enum project_status to);
/* The most children a project of kind k serves at once (0: no limit). */
int project_children_max(enum project_kind k);

#endif
