// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "swift-keras",
    products: [
        .library(name: "Keras", targets: ["Keras"]),
        .library(name: "KerasCore", targets: ["KerasCore"]),
        .executable(name: "keras-demo", targets: ["keras-demo"]),
        .executable(name: "keras-bench", targets: ["keras-bench"]),
        .executable(name: "keras", targets: ["keras"]),
        .library(name: "KerasServing", targets: ["KerasServing"]),
        .library(name: "KerasDistributed", targets: ["KerasDistributed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CDNNL",
            path: "Sources/CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),
        .target(
            name: "KerasCore",
            dependencies: ["CDNNL", "CKernels"]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            path: "Sources/CHDF5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(name: "CKernels"),
        .target(
            name: "Keras",
            dependencies: ["KerasCore", "CZlib", "CHDF5", "CKernels"],
            resources: [.copy("Resources/digits")]
        ),
        .executableTarget(name: "keras-demo", dependencies: ["Keras"]),
        .executableTarget(name: "keras-bench", dependencies: ["Keras", "CDNNL"]),
        .executableTarget(name: "keras-misuse", dependencies: ["Keras"]),
        .executableTarget(name: "keras-saving-child", dependencies: ["Keras"]),
        .executableTarget(name: "keras-fuzz-loader", dependencies: ["Keras"], path: "Fuzz/keras-fuzz-loader"),
        .target(
            name: "KerasServing",
            dependencies: [
                "Keras",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "KerasCLI",
            dependencies: [
                "Keras", "KerasServing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "keras", dependencies: ["KerasCLI"]),
        .systemLibrary(
            name: "CMPI",
            path: "Sources/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),
        .target(name: "KerasDistributed", dependencies: ["Keras", "CMPI"]),
        .executableTarget(name: "keras-mpi-check", dependencies: ["Keras", "KerasDistributed"]),
        .target(name: "KerasTestSupport", dependencies: ["KerasCore"], path: "Tests/KerasTestSupport"),
        .testTarget(name: "KerasCoreTests", dependencies: ["KerasCore", "KerasTestSupport"]),
        .testTarget(name: "KerasTests", dependencies: ["Keras", "KerasTestSupport"]),
        .testTarget(name: "KerasDistributedTests", dependencies: ["KerasDistributed", "Keras", "KerasTestSupport"]),
        .testTarget(
            name: "KerasServingTests",
            dependencies: [
                "KerasServing", "KerasCLI", "Keras", "KerasTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ]
)
