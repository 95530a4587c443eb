// Locale-free, deterministic number text for scripts and titles.
//
// Built on Swift's shortest round-trip `description`, whose decimal digits
// are then rounded (half away from zero) as a decimal string. No
// Foundation, no C `printf`, so the output cannot depend on a locale or a
// libc, and the same numbers always give the same script.

/// A finite non-negative number as decimal digits: value = 0.d1d2d3... x 10^exponent.
struct DecimalDigits: Equatable {
    /// Significant digits, 0...9, first one non-zero; empty for zero.
    var digits: [UInt8]
    /// Position of the decimal point relative to the first digit.
    var exponent: Int

    /// The digits of `abs(value)`; `value` must be finite.
    init(_ value: Double) {
        precondition(value.isFinite, "DecimalDigits needs a finite value")
        let text = value.magnitude.description  // "123.45", "1e-05", "1.5e+20"
        var mantissa = Substring(text)
        var power = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            power = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var pointPosition: Int?
        for character in mantissa {
            if character == "." {
                pointPosition = digits.count
            } else if let ascii = character.asciiValue {
                digits.append(ascii - UInt8(ascii: "0"))
            }
        }
        var exponent = (pointPosition ?? digits.count) + power
        while let first = digits.first, first == 0 {
            digits.removeFirst()
            exponent -= 1
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        self.digits = digits
        self.exponent = digits.isEmpty ? 0 : exponent
    }

    /// Keeps the first `count` digits (at least 0), rounding half away from
    /// zero, and drops trailing zeros.
    func keeping(_ count: Int) -> DecimalDigits {
        var result = self
        guard count < digits.count else { return result }
        guard count >= 0 else { return DecimalDigits(0) }
        let roundUp = digits[count] >= 5
        result.digits = Array(digits[..<count])
        if roundUp {
            var i = count - 1
            while i >= 0 && result.digits[i] == 9 {
                result.digits[i] = 0
                i -= 1
            }
            if i >= 0 {
                result.digits[i] += 1
            } else {
                result.digits.insert(1, at: 0)
                result.exponent += 1
            }
        }
        while let last = result.digits.last, last == 0 { result.digits.removeLast() }
        if result.digits.isEmpty { result.exponent = 0 }
        return result
    }

    /// Plain positional notation, e.g. `0.00392`, `120`, `3.5`.
    var positional: String {
        if digits.isEmpty { return "0" }
        let text = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        if exponent <= 0 {
            return "0." + String(repeating: "0", count: -exponent) + String(text)
        }
        if exponent >= text.count {
            return String(text) + String(repeating: "0", count: exponent - text.count)
        }
        return String(text[..<exponent]) + "." + String(text[exponent...])
    }

    /// Scientific notation like C's `%g`, e.g. `1.5e-05`, `2e+20`.
    var scientific: String {
        if digits.isEmpty { return "0" }
        let text = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        let power = exponent - 1
        let magnitude = power.magnitude < 10 ? "0\(power.magnitude)" : "\(power.magnitude)"
        let mantissa = text.count == 1 ? String(text) : "\(text[0])." + String(text[1...])
        return mantissa + "e" + (power < 0 ? "-" : "+") + magnitude
    }
}

/// `value` with at most `significantDigits` significant digits, written
/// like C's `%g` in the C locale: positional for exponents -5...digits-1,
/// scientific otherwise, trailing zeros dropped, `-0` written `0`.
/// NaN and infinities are written `NaN`, which gnuplot reads as a missing
/// point.
func gnuplotNumber(_ value: Double, significantDigits: Int = 6) -> String {
    guard value.isFinite else { return "NaN" }
    let rounded = DecimalDigits(value).keeping(significantDigits)
    if rounded.digits.isEmpty { return "0" }
    let power = rounded.exponent - 1
    let body = (power < -4 || power >= significantDigits) ? rounded.scientific : rounded.positional
    return value < 0 ? "-" + body : body
}

/// `value` with exactly `places` digits after the point, e.g. `0.9753`
/// (like `%.4f`, rounding half away from zero on the shortest decimal
/// form). Non-finite values are written `nan`, `inf` or `-inf`.
func fixedDecimal(_ value: Double, places: Int) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    let decimal = DecimalDigits(value)
    let rounded = decimal.keeping(decimal.exponent + places)
    var text = rounded.positional
    if places > 0 {
        let fraction = text.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
        if fraction == 0 { text += "." }
        text += String(repeating: "0", count: places - fraction)
    }
    return value < 0 && !rounded.digits.isEmpty ? "-" + text : text
}
