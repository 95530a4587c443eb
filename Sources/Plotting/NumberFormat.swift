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

    /// As Keras's progress bar writes a logged value: `%.4f` above 1e-3,
    /// `%.4e` otherwise (`0.0100`, `5.0000e-04`).
    public static func kerasLog(_ value: Double) -> String {
        if !value.isFinite { return fixed(value, 4) }
        return abs(value) > 1e-3 ? printf("%.4f", value) : printf("%.4e", value)
    }

    /// 101770 → "101,770".
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// Seconds for humans: "0.31s", "12.4s", "2m05s".
    public static func seconds(_ value: Double) -> String {
        if value < 10 { return fixed(value, 2) + "s" }
        if value < 60 { return fixed(value, 1) + "s" }
        let whole = Int(value.rounded())
        return "\(whole / 60)m" + (whole % 60 < 10 ? "0" : "") + "\(whole % 60)s"
    }

    /// 406080 → "396.56 KB" (Keras's summary uses 1024-based units).
    public static func bytes(_ value: Int) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return fixed(amount, 2) + " " + units[unit]
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
