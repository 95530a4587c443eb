import Testing

@testable import Datasets

@Suite struct DatasetErrorTests {
    @Test(arguments: [
        (DatasetError.fileNotFound(path: "/d/x.gz"), "no such file or directory: /d/x.gz"),
        (.unreadable(path: "/d", reason: "it is a directory, not a file"), "cannot read /d: it is a directory, not a file"),
        (.malformed(file: "/d/x.gz", reason: "truncated gzip stream"), "/d/x.gz: truncated gzip stream"),
        (
            .notFound(searched: ["DNB_DATA=/x"], hint: "/x does not exist"),
            "no MNIST data found in DNB_DATA=/x\nhint: /x does not exist"
        ),
        (
            .downloadFailed(url: "https://h/m.npz", reason: "offline", hint: "put it in ./data/mnist/"),
            "could not download https://h/m.npz: offline\nhint: put it in ./data/mnist/"
        ),
    ])
    func descriptions(error: DatasetError, text: String) {
        #expect(error.description == text)
    }
}
