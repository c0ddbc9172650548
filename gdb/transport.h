/* transport.h — internal: the byte-stream operations gdb_serve uses on a gdb_transport. */
#ifndef REWIND_GDB_TRANSPORT_H
#define REWIND_GDB_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "gdbstub.h"

/* Results of gdb_transport_read besides a positive byte count. */
#define GDB_IO_EOF 0      /* peer closed (or reset) the connection */
#define GDB_IO_ERROR (-1) /* errno describes the failure */
#define GDB_IO_AGAIN (-2) /* nothing arrived within the timeout */

/* Read up to len bytes.  timeout_ms < 0 blocks; 0 polls. */
ssize_t gdb_transport_read(struct gdb_transport *t, void *buf, size_t len, int timeout_ms);
/* Write all of buf.  Returns len, GDB_IO_EOF if the peer is gone, GDB_IO_ERROR otherwise. */
ssize_t gdb_transport_write(struct gdb_transport *t, const void *buf, size_t len);

#endif
