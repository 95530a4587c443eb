import COpenBLAS

/// Threads OpenBLAS may use (1 or more; smaller values are taken as 1).
/// Results are bit-identical only for the same thread count.
public func setComputeThreads(_ count: Int) {
    openblas_set_num_threads(Int32(clamping: max(1, count)))
}

/// Threads OpenBLAS currently uses.
public func computeThreads() -> Int {
    Int(openblas_get_num_threads())
}
