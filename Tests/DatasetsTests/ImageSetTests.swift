import Testing

@testable import Datasets

@Suite struct ImageSetTests {
    @Test func classCountsAndPixelRange() {
        let set = ImageSet(rows: 1, cols: 2, pixels: [3, 200, 7, 9, 17, 4], labels: [1, 1, 9])
        #expect(set.classCounts == [0, 2, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(set.pixelRange == (min: 3, max: 200))
        #expect(ImageSet(rows: 28, cols: 28, pixels: [], labels: []).pixelRange == (min: 0, max: 0))
        #expect(set.width == 2)
        #expect(set.image(at: 2) == [17, 4])
    }
}
