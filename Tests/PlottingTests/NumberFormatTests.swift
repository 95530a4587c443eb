import Testing

@testable import Plotting

@Suite struct NumberFormatTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-2.5, "-2.5"), (0.1, "0.1"), (1.0 / 3.0, "0.333333"),
        (2.0 / 3.0, "0.666667"), (1.0 / 255.0, "0.00392157"), (123456.0, "123456"), (1234567.0, "1.23457e+06"),
        (999999.5, "1e+06"), (0.0001, "0.0001"), (0.00001234, "1.234e-05"), (1e300, "1e+300"),
        (-1.5e-300, "-1.5e-300"), (0.4123456, "0.412346"), (0.1234565, "0.123456"), (100.0, "100"),
        (Double.nan, "NaN"), (Double.infinity, "NaN"), (-Double.infinity, "NaN"),
    ])
    func sixSignificantDigitsLikePercentG(value: Double, text: String) {
        #expect(NumberFormat.significant(value) == text)
    }

    @Test(arguments: [
        (0.9753, 4, "0.9753"), (0.97526, 4, "0.9753"), (0.5, 3, "0.500"), (1.0, 4, "1.0000"), (0.0, 4, "0.0000"),
        (0.99996, 4, "1.0000"), (0.00004, 4, "0.0000"), (0.00006, 4, "0.0001"), (12.3456, 1, "12.3"), (-0.25, 1, "-0.2"),
        (0.125, 2, "0.12"),
        (7.0, 0, "7"), (Double.nan, 4, "nan"),
    ])
    // Ties go to even on the exact binary value, as printf, Python and Keras print: 0.125 → 0.12.
    func fixedDecimals(value: Double, places: Int, text: String) {
        #expect(NumberFormat.fixed(value, places) == text)
    }

    @Test func floatsAreWrittenByTheirDecimalValue() {
        #expect(NumberFormat.significant(Double(Float(0.1))) == "0.1")
        #expect(NumberFormat.significant(Double(Float(1) / 255), 4) == "0.003922")
    }
}
