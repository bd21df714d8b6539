// Open MPI's handles are macros that Swift cannot import; these functions return them.
#include <mpi.h>

static inline MPI_Comm nnkit_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype nnkit_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype nnkit_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype nnkit_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op nnkit_mpi_sum(void) { return MPI_SUM; }
static inline void *nnkit_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler MPI_ERRORS_RETURN_handle(void) { return MPI_ERRORS_RETURN; }
