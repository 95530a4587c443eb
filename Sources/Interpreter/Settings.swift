/// Session settings changed with `set`.
public struct Settings: Equatable, Sendable {
    /// Seeds weight initialisation and shuffling: same seed, same numbers.
    public var seed: UInt64 = 1
    /// Where plots are written, relative to the working directory.
    public var plotsDirectory = "plots"
    /// Image format of rendered plots.
    public var plotFormat = "png"
    /// Threads for matrix products (OpenBLAS).
    /// One by default: measured as fast as two for these batch-32 products
    /// (two were slower on dense inputs), and numbers then do not depend on it.
    public var threads = 1

    public init() {}
}
