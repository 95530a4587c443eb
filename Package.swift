// swift-tools-version: 6.1
import PackageDescription

// Hot numeric loops are compiled with -O even in debug builds: Swift's
// unoptimised SIMD code is ~150x slower, which would make `swift test` crawl.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]
// The engine's element-wise passes (Adam, activations, softmax) in AVX2/FMA
// code: the Adam update of 784-128-10 drops from 66 to 37 µs a step, since
// the square roots and divisions run 8 lanes wide instead of 4. `haswell` is
// the x86-64-v3 level (AVX2, FMA, BMI2; Intel 2013+, AMD 2015+), which this
// swiftc does not accept by name; results are bit-identical to the SSE build
// (no contraction into FMA: Swift keeps IEEE order). On an older x86 CPU
// the engine would stop with SIGILL: drop this line to build for one.
// ENGINE_AVX2 lets the engine use AVX2 intrinsics (without the flag, LLVM
// cannot lower them): drop both settings together.
// DNB_PORTABLE=1 leaves both out: the baseline x86-64 build (SSE2, 4-lane
// vectors, FMA through the C library) that `make check-portable` uses to show
// the numbers do not depend on the instruction set.
#if arch(x86_64)
    let engineCPU: [SwiftSetting] =
        Context.environment["DNB_PORTABLE"] == "1"
        ? [] : [.unsafeFlags(["-target-cpu", "haswell"]), .define("ENGINE_AVX2")]
#else
    let engineCPU: [SwiftSetting] = []
#endif

let package = Package(
    name: "dnb",
    products: [
        .executable(name: "dnb", targets: ["dnb"])
    ],
    targets: [
        // Thin system-library targets: a module map and a shim header each.
        .systemLibrary(name: "CZlibSystem", path: "Sources/CZlibSystem", pkgConfig: "zlib"),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit"),
        .systemLibrary(name: "CStbImage", path: "Sources/CStbImage", pkgConfig: "stb"),
        // libdeflate: whole-buffer inflate, about twice zlib's speed, for well-formed data.
        .systemLibrary(name: "CLibdeflate", path: "Sources/CLibdeflate", pkgConfig: "libdeflate"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),
        // No pkgConfig: libzmq's .pc file adds `-isystem /usr/include/mit-krb5`, which SwiftPM refuses
        // with a warning on every build; the header and library are on the default paths.
        .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ"),
        // libhdf5 and its high-level H5LT API (Debian's libhdf5-dev), for Keras's weight files.
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial"),

        // SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto: downloads and Jupyter messages.
        .target(name: "Digests", dependencies: ["COpenSSL"]),

        // AVX-512 tiles for the engine's products, used where the CPU has them: the same
        // FMA chains as the Swift tiles, more lanes at once. Left out of the portable build.
        .target(
            name: "CWideKernels",
            cSettings: Context.environment["DNB_PORTABLE"] == "1" ? [.define("DNB_NO_WIDE")] : [.unsafeFlags(["-O3"])]),
        // A small, strict JSON value: model-file headers, notebooks, Jupyter messages.
        .target(name: "JSON"),
        // Matrices, layers, training, with the order of every sum its own. Never prints, never touches files.
        .target(name: "Engine", dependencies: ["CWideKernels", "JSON"], swiftSettings: optimized + engineCPU),
        // Readers from bytes (IDX, gzip, NPY/NPZ, images), MNIST discovery and download.
        .target(
            name: "Datasets", dependencies: ["CZlibSystem", "CLibdeflate", "CStbImage", "HostIO", "Digests"],
            swiftSettings: optimized),
        // Models in and out: Keras .keras (write, read) and .h5 (read), ONNX (write); per layer
        // kind, its Keras config, weights and ONNX nodes (Layers/). HDF5 through libhdf5.
        .target(
            name: "ModelFormats", dependencies: ["Engine", "JSON", "Datasets", "CHDF5", "CZlibSystem"]),
        // gnuplot script text from numbers, and the one number formatter. Never launches a process.
        .target(name: "Plotting"),
        // The one layer that touches the disk and runs processes: reading, atomic
        // writing, gnuplot, the process runner; `HostServices` is what the interpreter sees.
        .target(name: "HostIO", dependencies: ["Plotting"]),
        // Lexer, parser, diagnostics, the command declaration and its checking. Knows no engine.
        .target(name: "Language"),
        // Session state, and one declaration and handler per command.
        .target(
            name: "Interpreter", dependencies: ["Engine", "Datasets", "Plotting", "Language", "HostIO", "JSON", "ModelFormats"]),
        // libedit line reading, history, completion, Ctrl-C.
        .target(name: "Terminal", dependencies: ["CEditLine", "Interpreter", "Language", "HostIO"]),
        // The Jupyter kernel: wire format, signing, the sockets loop, the kernelspec.
        .target(
            name: "Kernel",
            dependencies: ["CZeroMQ", "Digests", "HostIO", "Interpreter", "JSON", "Language", "Terminal"]),
        // Argument parsing and exit codes only.
        .executableTarget(
            name: "dnb", dependencies: ["Interpreter", "Terminal", "Language", "Kernel", "ModelFormats", "HostIO"]),
        // Release-build benchmark of the seed A and seed B recipes (`make bench`); not a test.
        // Built for the engine's CPU level too, so its FMA peak measures what the engine can issue;
        // the 16-lane peak runs in CWideKernels' AVX-512 code, where the engine's wide tiles run.
        .executableTarget(
            name: "dnb-bench", dependencies: ["Engine", "Datasets", "HostIO", "CWideKernels"], path: "Sources/Bench",
            swiftSettings: engineCPU),
        // One fuzzing harness per reader and parser (`make fuzz`); the suite replays their corpora.
        .target(
            name: "FuzzTargets",
            dependencies: [
                "Datasets", "Digests", "Engine", "JSON", "Language", "Interpreter", "Kernel", "CZlibSystem", "ModelFormats",
            ],
            path: "Fuzz/Targets"),

        .testTarget(name: "EngineTests", dependencies: ["Engine", "JSON"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "Engine", "Datasets"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "HostIO", "Digests"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"], exclude: ["Snapshots"]),
        .testTarget(name: "LanguageTests", dependencies: ["Language"]),
        .testTarget(name: "HostIOTests", dependencies: ["HostIO", "Plotting"]),
        .testTarget(
            name: "InterpreterTests",
            dependencies: ["Interpreter", "Language", "Engine", "Datasets", "Plotting", "HostIO", "JSON"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "HostIO"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "KernelTests", dependencies: ["Kernel", "Engine", "Digests", "Interpreter", "JSON"]),
    ]
)

// libFuzzer's front end exists only for `make fuzz` (DNB_FUZZ=1, its own
// --scratch-path, -sanitize=fuzzer,address): without libFuzzer linked in,
// its driver is missing and a normal build could not link it.
if Context.environment["DNB_FUZZ"] == "1" {
    package.targets += [
        .systemLibrary(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .executableTarget(name: "dnb-fuzz", dependencies: ["FuzzTargets", "CFuzzerDriver"], path: "Fuzz/Entry"),
    ]
    package.products.append(.executable(name: "dnb-fuzz", targets: ["dnb-fuzz"]))
}
