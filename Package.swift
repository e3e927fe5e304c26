// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "swift-keras",
    products: [
        .library(name: "Keras", targets: ["Keras"]),
        .library(name: "KerasCore", targets: ["KerasCore"]),
        .executable(name: "keras-demo", targets: ["keras-demo"]),
        .executable(name: "keras-bench", targets: ["keras-bench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CDNNL",
            path: "Sources/CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),
        .target(
            name: "KerasCore",
            dependencies: ["CDNNL"]
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
        .target(name: "KerasTestSupport", dependencies: ["KerasCore"], path: "Tests/KerasTestSupport"),
        .testTarget(name: "KerasCoreTests", dependencies: ["KerasCore", "KerasTestSupport"]),
        .testTarget(name: "KerasTests", dependencies: ["Keras", "KerasTestSupport"]),
    ]
)
