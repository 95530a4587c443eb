import Testing

@testable import Datasets

@Suite struct ImageSetTests {
    @Test func splitFollowsKerasValidationSplit() throws {
        // 60000 one-pixel images whose pixel and label encode the index.
        let count = 60000
        let set = ImageSet(
            rows: 1, cols: 1, pixels: (0..<count).map { UInt8($0 % 251) }, labels: (0..<count).map { UInt8($0 % 10) })
        let (train, validation) = try set.split(validationFraction: 0.2)
        #expect(train.count == 48000)
        #expect(validation.count == 12000)
        #expect(train.pixels == Array(set.pixels[0..<48000]))
        #expect(train.labels == Array(set.labels[0..<48000]))
        // The validation set is the last 20%, in order: its row 0 is row 48000.
        #expect(validation.pixels == Array(set.pixels[48000...]))
        #expect(validation.labels[0] == set.labels[48000])
        #expect(validation.pixels[0] == UInt8(48000 % 251))
        #expect(validation.rows == 1 && validation.cols == 1)
    }

    /// split_at = floor(n * (1 - fraction)), as Python computes it.
    @Test(arguments: [(60000, 0.1, 54000), (60000, 0.3, 42000), (10, 0.3, 7), (100, 0.07, 93), (7, 0.5, 3), (5, 0.0, 5)])
    func splitPoint(count: Int, fraction: Double, trainCount: Int) throws {
        let set = Fixture.imageSet(count: count, rows: 1, cols: 2)
        let (train, validation) = try set.split(validationFraction: fraction)
        #expect(train.count == trainCount)
        #expect(validation.count == count - trainCount)
        #expect(train.pixels.count == trainCount * 2)
    }

    @Test(arguments: [-0.1, 1.0, 1.5, .nan, .infinity])
    func splitRejectsFractionsOutsideTheUnitInterval(fraction: Double) {
        let error = Fixture.error { () throws(DatasetError) in
            try Fixture.imageSet(count: 10).split(validationFraction: fraction)
        }
        #expect(
            error == .invalidArgument(name: "validation_split", value: "\(fraction)", expected: "a fraction in [0, 1)"))
    }

    /// Like Keras, a non-zero fraction that leaves no training (3 x (1 - 0.9)
    /// rounds down to 0) or no validation images (1 - 1e-17 rounds to 1) is an error.
    @Test(arguments: [0.9, 1e-17])
    func splitRejectsAnEmptyPart(fraction: Double) {
        let error = Fixture.error { () throws(DatasetError) in
            try Fixture.imageSet(count: 3).split(validationFraction: fraction)
        }
        #expect(error?.description.contains("image out of 3. Received: validation_split=\(fraction)") == true)
    }

    @Test func classCountsAndPixelRange() {
        let set = ImageSet(rows: 1, cols: 2, pixels: [3, 200, 7, 9, 17, 4], labels: [1, 1, 9])
        #expect(set.classCounts == [0, 2, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(set.pixelRange == (min: 3, max: 200))
        #expect(ImageSet(rows: 28, cols: 28, pixels: [], labels: []).pixelRange == (min: 0, max: 0))
        #expect(set.width == 2)
        #expect(set.image(at: 2) == [17, 4])
    }
}
