// Open MPI for Swift (Debian's libopenmpi-dev; the include path comes from pkg-config `ompi-c`).
// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM...) are macros taking the address of
// global structures, which Swift cannot import, so small inline functions return them.
#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
#if __has_include(<mpi.h>)
#include <mpi.h>
#else
#include <mpi/mpi.h>
#endif

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
/// Makes failed calls return an error code instead of aborting inside the library.
static inline void cmpi_errors_return(void) { MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
#endif
