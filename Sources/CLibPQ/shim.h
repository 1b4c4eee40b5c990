#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

#include <libpq-fe.h>

/* The PG_DIAG_* field codes are macros Swift cannot import: re-export them as constants. */
static const int CLibPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CLibPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CLibPQ_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int CLibPQ_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
static const int CLibPQ_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int CLibPQ_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;

#endif
