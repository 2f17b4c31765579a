#include "project.h"

#include <string.h>

#include "../util/wb.h"

static const char *const kind_names[PK__COUNT] = {"hope_room", "one_plus_n", "service", "fundraising"};
static const char *const status_names[PS__COUNT] = {"planned", "active", "done", "cancelled"};

const char *project_kind_name(enum project_kind k)
{
	return (unsigned)k < PK__COUNT ? kind_names[k] : "";
}

int project_kind_parse(const char *s, enum project_kind *out)
{
	for (int i = 0; s && i < PK__COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum project_kind)i;
			return WB_OK;
		}
	return WB_EINVAL;
}

const char *project_status_name(enum project_status s)
{
	return (unsigned)s < PS__COUNT ? status_names[s] : "";
}

int project_status_parse(const char *s, enum project_status *out)
{
	for (int i = 0; s && i < PS__COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum project_status)i;
			return WB_OK;
		}
	return WB_EINVAL;
}

int project_move_ok(enum project_status from, enum project_status to)
{
	switch (from) {
	case PS_PLANNED: return to == PS_ACTIVE || to == PS_CANCELLED;
	case PS_ACTIVE: return to == PS_DONE || to == PS_CANCELLED;
	default: return 0; /* done and cancelled are final */
	}
}

int project_children_max(enum project_kind k)
{
	return k == PK_HOPE_ROOM || k == PK_ONE_PLUS_N ? 1 : 0;
}
