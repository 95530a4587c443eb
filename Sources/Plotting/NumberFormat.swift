// dnb's one number formatter: everything it prints and every number in a
// plot script. C's printf in the C locale (dnb never sets LC_NUMERIC): the
// exact binary value, rounded to nearest with ties to even, as Python (and
// so Keras) prints numbers. So the same numbers always give the same text.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum NumberFormat {
    /// Exactly `places` digits after the point, like `%.4f`:
    /// `fixed(0.97526, 4)` is `0.9753`. Non-finite values are `nan`, `inf`, `-inf`.
    public static func fixed(_ value: Double, _ places: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return printf("%.*f", Int32(places), value)
    }

    /// At most `digits` significant digits, like `%g`: positional for
    /// exponents -5 up to digits-1, scientific otherwise, trailing zeros
    /// dropped, `-0` written `0`. NaN and infinities are `NaN`, which gnuplot
    /// reads as a missing point.
    public static func significant(_ value: Double, _ digits: Int = 6) -> String {
        guard value.isFinite else { return "NaN" }
        let text = printf("%.*g", Int32(digits), value)
        return text == "-0" ? "0" : text
    }

    private static func printf(_ format: String, _ arguments: any CVarArg...) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        while true {
            let needed = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
            guard needed >= 0 else { return "" }
            if Int(needed) < buffer.count {
                return String(decoding: buffer[..<Int(needed)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        }
    }
}
