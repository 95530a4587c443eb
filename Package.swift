// swift-tools-version: 6.1
import PackageDescription

// Hot numeric loops are compiled with -O even in debug builds: Swift's
// unoptimised SIMD code is ~150x slower, which would make `swift test` crawl.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "dnb",
    products: [
        .executable(name: "dnb", targets: ["dnb"]),
    ],
    targets: [
        // Thin system-library targets: a module map and a shim header each.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CZlibSystem", path: "Sources/CZlibSystem", pkgConfig: "zlib"),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit"),
        .systemLibrary(name: "CStbImage", path: "Sources/CStbImage", pkgConfig: "stb"),

        // Matrices, layers, training. Never prints, never touches files.
        .target(name: "Engine", dependencies: ["COpenBLAS"], swiftSettings: optimized),
        // Readers from bytes (IDX, gzip, NPY/NPZ, images), MNIST discovery, preprocessing.
        .target(name: "Datasets", dependencies: ["CZlibSystem", "CStbImage"], swiftSettings: optimized),
        // gnuplot script text from numbers. Never launches a process.
        .target(name: "Plotting"),
        // Lexer, parser, command table, diagnostics. Knows no engine.
        .target(name: "Language"),
        // Session state and one handler per command.
        .target(name: "Interpreter", dependencies: ["Engine", "Datasets", "Plotting", "Language"]),
        // libedit line reading, history, completion, Ctrl-C.
        .target(name: "Terminal", dependencies: ["CEditLine", "Interpreter", "Language"]),
        // Argument parsing and exit codes only.
        .executableTarget(name: "dnb", dependencies: ["Interpreter", "Terminal", "Language"]),
        // Release-build benchmark of the seed A and seed B recipes (`make bench`); not a test.
        .executableTarget(name: "dnb-bench", dependencies: ["Engine", "Datasets"], path: "Sources/Bench"),

        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"], exclude: ["Snapshots"]),
        .testTarget(name: "LanguageTests", dependencies: ["Language"]),
        .testTarget(name: "InterpreterTests", dependencies: ["Interpreter", "Language", "Engine", "Datasets", "Plotting"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal"]),
    ]
)
