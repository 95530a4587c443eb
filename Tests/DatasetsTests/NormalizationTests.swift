import Testing

@testable import Datasets

@Suite struct NormalizationTests {
    @Test func scaleDividesBy255() {
        let features = Normalization.scale.apply([0, 51, 255, 128], width: 2)
        #expect(features == [0, 0.2, 1, Float(128) / 255])
    }

    @Test func standardizingComputesPopulationStatistics() {
        // Feature 0 takes 0, 2, 4: mean 2, std sqrt(8/3). Feature 1 is always 10: std 1.
        let pixels: [UInt8] = [0, 10, 2, 10, 4, 10]
        let normalization = Normalization.standardizing(pixels, width: 2)
        guard case .standardize(let mean, let std) = normalization else {
            Issue.record("expected .standardize")
            return
        }
        #expect(mean == [2, 10])
        #expect(abs(std[0] - Float((8.0 / 3.0).squareRoot())) < 1e-6)
        #expect(std[1] == 1)

        let features = normalization.apply(pixels, width: 2)
        let s = Float((8.0 / 3.0).squareRoot())
        let expected: [Float] = [-2 / s, 0, 0, 0, 2 / s, 0]
        for (value, want) in zip(features, expected) { #expect(abs(value - want) < 1e-6) }
    }

    @Test func standardizedFeaturesHaveZeroMeanAndUnitVariance() {
        let set = Fixture.imageSet(count: 200, rows: 4, cols: 4)
        let features = Normalization.standardizing(set.pixels, width: 16).apply(set.pixels, width: 16)
        for j in 0..<16 {
            let column = stride(from: j, to: features.count, by: 16).map { Double(features[$0]) }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-4)
        }
    }

    @Test func standardizingNoImagesIsTheIdentityStatistics() {
        #expect(Normalization.standardizing([], width: 3) == .standardize(mean: [0, 0, 0], std: [1, 1, 1]))
    }
}
