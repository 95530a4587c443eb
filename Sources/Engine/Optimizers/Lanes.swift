// `_Builtin_intrinsics.intel` is the compiler's own Clang module of SSE/AVX
// intrinsics (no library); only its vector square root is used.
#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif

extension SIMD8 where Scalar == Double {
    /// Lanes `i..<i+8` of `p` (no alignment needed).
    @inline(__always)
    static func loadLanes(_ p: UnsafePointer<Double>, _ i: Int) -> Self {
        UnsafeRawPointer(p + i).loadUnaligned(as: Self.self)
    }

    /// Writes the lanes to `p[i..<i+8]` (no alignment needed).
    @inline(__always)
    func storeLanes(_ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Self.self)
    }
}

extension SIMD8 where Scalar == Float {
    /// Lanes `i..<i+8` of `p` (no alignment needed).
    @inline(__always)
    static func loadLanes(_ p: UnsafePointer<Float>, _ i: Int) -> Self {
        UnsafeRawPointer(p + i).loadUnaligned(as: Self.self)
    }

    /// Writes the lanes to `p[i..<i+8]` (no alignment needed).
    @inline(__always)
    func storeLanes(_ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Self.self)
    }

    /// IEEE square root of every lane (`sqrtps`; correctly rounded, like `squareRoot()`).
    @inline(__always)
    var root: Self {
        #if arch(x86_64)
            _mm256_sqrt_ps(self)
        #else
            squareRoot()
        #endif
    }

    /// Lanes whose magnitude is below the smallest normal Float set to zero
    /// (flush-to-zero, as TensorFlow's CPU kernels run): decaying moments
    /// would otherwise crawl through slow subnormal arithmetic.
    @inline(__always)
    var flushed: Self {
        let tiny = Self(repeating: .leastNormalMagnitude)
        return replacing(with: 0, where: (self .< tiny) .& (self .> -tiny))
    }
}
