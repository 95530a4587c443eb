#include <hdf5.h>
#include <hdf5_hl.h>

// The predefined types, property list classes and flags are macros over
// globals (after H5open), which Swift cannot import: getters for the few used.
static inline hid_t dnb_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t dnb_h5t_native_llong(void) { return H5T_NATIVE_LLONG; }
static inline hid_t dnb_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t dnb_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t dnb_h5p_default(void) { return H5P_DEFAULT; }
static inline unsigned dnb_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned dnb_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline hid_t dnb_h5s_all(void) { return H5S_ALL; }
static inline size_t dnb_h5t_variable(void) { return H5T_VARIABLE; }

// Silences libhdf5's own printing of its error stack: dnb reports errors itself.
static inline void dnb_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
