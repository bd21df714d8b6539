// swift-tools-version:6.1
import Foundation
import PackageDescription

/// The x86-64 level everything is built for: x86-64-v3 (AVX2 + FMA) by default, so the build runs on any CPU since
/// Haswell and Zen 1. `NNKIT_X86_64=v4` in the environment of `swift build` builds for x86-64-v4 (AVX-512) instead:
/// the GEMM's register tile then runs on 512-bit registers, which held its speed on the shared Zen 4 VM when other
/// tenants loaded the core (docs/performance.md). Such a build runs only on CPUs with AVX-512; give it
/// its own `--build-path`.
let x86Level = ProcessInfo.processInfo.environment["NNKIT_X86_64"] == "v4" ? "x86-64-v4" : "x86-64-v3"

/// Compiler settings for code built for the x86-64 level `level` (ignored on other architectures).
///
/// On x86-64 the build targets a level (by default x86-64-v3: AVX2 + FMA, Haswell/Zen 1 or newer): without it every
/// `SIMD.addingProduct` lowers to a libm `fmaf` call per lane. `-fno-math-errno` lets `squareRoot()` become one
/// instruction. The code is optimised even in debug builds so that tests stay fast; `checkExclusivity` keeps
/// Swift's exclusivity checks there (layers and data, so tests catch overlapping accesses) or drops them (kernels).
/// Other architectures (arm64) use the compiler's defaults, which already include NEON and FMA.
func settings(level: String, checkExclusivity: Bool) -> [SwiftSetting] {
    var flags: [String] = ["-Xcc", "-fno-math-errno"]
    #if arch(x86_64)
    flags += ["-Xcc", "-march=\(level)"]
    #endif
    return [
        .unsafeFlags(flags),
        .unsafeFlags(checkExclusivity ? ["-O"] : ["-O", "-enforce-exclusivity=unchecked"], .when(configuration: .debug)),
    ]
}

/// The numeric kernels.
let kernelFlags = settings(level: x86Level, checkExclusivity: false)

/// The AVX-512 forms of the elementwise functions and the GEMM's register-tile loops (`NNCoreAVX512`): x86-64-v4,
/// chosen at run time only on CPUs that have it (`Kernels.avx512`), so the default build still runs on any AVX2 CPU.
let avx512Flags = settings(level: "x86-64-v4", checkExclusivity: false)

/// Layers and data.
let layerFlags = settings(level: x86Level, checkExclusivity: true)

let package = Package(
    name: "NNKit",
    products: [
        .library(name: "NNKit", targets: ["NNKit"]),
        .library(name: "NNCore", targets: ["NNCore"]),
        .library(name: "NNLayers", targets: ["NNLayers"]),
        .library(name: "NNAutograd", targets: ["NNAutograd"]),
        .library(name: "NNPlugins", targets: ["NNPlugins"]),
        // One shared copy of the framework, for programs that load plugins built against it.
        .library(name: "NNKitDynamic", type: .dynamic, targets: ["NNKit"]),
        // The example layer plugin (Plugins/ExampleLayers), loaded by `nnrun --plugin`.
        .library(name: "NNKitExampleLayers", type: .dynamic, targets: ["ExampleLayers"]),
        .library(name: "NNModel", targets: ["NNModel"]),
        .library(name: "NNCheckpoint", targets: ["NNCheckpoint"]),
        .library(name: "NNData", targets: ["NNData"]),
        .library(name: "NNONNX", targets: ["NNONNX"]),
        .executable(name: "nnrun", targets: ["nnrun"]),
        .executable(name: "nnbench", targets: ["nnbench"]),
    ],
    // `swift build --traits MPI` builds `nnrun` with data-parallel training on MPI (needs Open MPI: Debian
    // libopenmpi-dev, openmpi-bin); the default build does not need MPI.
    traits: [.trait(name: "MPI", description: "Data-parallel training across processes with mpirun (Open MPI)")],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .target(name: "NNVectorMath", swiftSettings: kernelFlags),
        .target(name: "NNRegisterTile", swiftSettings: kernelFlags),
        .target(name: "NNCoreAVX512", dependencies: ["NNVectorMath", "NNRegisterTile"], swiftSettings: avx512Flags),
        .target(name: "NNCore", dependencies: ["NNVectorMath", "NNRegisterTile", "NNCoreAVX512"], swiftSettings: kernelFlags),
        .target(name: "NNLayers", dependencies: ["NNCore"], swiftSettings: layerFlags),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "NNData", dependencies: ["NNCore", "CZlib"], swiftSettings: layerFlags),
        .target(name: "NNCheckpoint"),
        .target(name: "NNPlugins", dependencies: ["NNLayers"]),
        .target(name: "ExampleLayers", dependencies: ["NNLayers", "NNPlugins"], path: "Plugins/ExampleLayers/Sources", swiftSettings: layerFlags),
        .testTarget(name: "ExampleLayersTests", dependencies: ["ExampleLayers", "NNTestSupport"], path: "Plugins/ExampleLayers/Tests"),
        .target(name: "NNAutograd", dependencies: ["NNCore", "NNLayers"], swiftSettings: layerFlags),
        .target(
            name: "NNModel",
            dependencies: ["NNCore", "NNLayers", "NNData", "NNCheckpoint", .product(name: "Yams", package: "Yams")]),
        // ONNX export and import. `Proto/onnx.pb.swift` is generated from `Proto/onnx.proto` (ONNX 1.23) and
        // committed, so that builds need neither protoc nor the plugin: `Proto/regenerate.sh` makes it again.
        .target(
            name: "NNONNX", dependencies: ["NNCore", "NNLayers", "NNModel", "NNCheckpoint", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto/onnx.proto", "Proto/regenerate.sh"]),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "NNMPI", dependencies: ["CMPI", "NNModel"]),
        .target(name: "NNKit", dependencies: ["NNCore", "NNLayers", "NNAutograd", "NNPlugins", "NNModel", "NNCheckpoint", "NNData", "NNONNX"]),
        .executableTarget(name: "autograd-example", dependencies: ["NNKit"], path: "Sources/AutogradExample"),
        .executableTarget(
            name: "nnrun",
            dependencies: [
                "NNKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .target(name: "NNMPI", condition: .when(traits: ["MPI"])),
            ],
            // Plugins resolve NNKit's symbols against the host's copy: export them from the executable.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]),
        .executableTarget(
            name: "nnbench", dependencies: ["NNKit", .product(name: "ArgumentParser", package: "swift-argument-parser")], exclude: ["peers.py", "cnn_peers.py"],
            swiftSettings: kernelFlags + (x86Level == "x86-64-v4" ? [.define("NNKIT_X86_64_V4")] : [])),
        .target(name: "NNTestSupport", dependencies: ["NNCore", "NNLayers"], path: "Tests/NNTestSupport"),
        .testTarget(name: "NNCoreTests", dependencies: ["NNCore", "NNVectorMath", "NNCoreAVX512", "NNTestSupport"]),
        .testTarget(name: "NNLayersTests", dependencies: ["NNLayers", "NNData", "NNTestSupport"]),
        .testTarget(name: "NNModelTests", dependencies: ["NNKit", "NNTestSupport"]),
        .testTarget(name: "NNAutogradTests", dependencies: ["NNKit", "NNTestSupport"]),
        .testTarget(name: "NNCheckpointTests", dependencies: ["NNCheckpoint", "NNKit"]),
        .testTarget(name: "NNDataTests", dependencies: ["NNData"]),
        .testTarget(name: "NNONNXTests", dependencies: ["NNONNX", "NNKit"]),
        .testTarget(name: "NNRunTests", dependencies: ["NNKit", "NNTestSupport", "nnrun"]),
    ],
    swiftLanguageModes: [.v6]
)
