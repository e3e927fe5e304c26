import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// imageDatasetFromDirectory / textDatasetFromDirectory on small generated folders
/// (Tests/Fixtures/directory_datasets), against what Keras's own `index_directory`,
/// `get_training_or_validation_split` and PIL-based image loader give (directory_datasets.json,
/// from directory_datasets_generate.py).
@Suite("Directory datasets") struct DirectoryDatasetTests {
    nonisolated(unsafe) static let expected = try! loadFixture("directory_datasets.json") as! [String: Any]
    static let root = fixturesDirectory.appendingPathComponent("directory_datasets").path
    static let images = root + "/images"
    static let texts = root + "/texts"

    static func ints(_ any: Any?) -> [Int] { (any as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func labels(_ t: Tensor?) -> [Int] { t!.cast(to: .int64).toArray(of: Int64.self).map { Int($0) } }
    static func relative(_ paths: [String], _ base: String) -> [String] { paths.map { String($0.dropFirst(base.count + 1)) } }

    /// All samples of a dataset's first pass, in order.
    static func everything(_ dataset: Dataset) -> (x: Tensor, y: Tensor?) {
        let batches = Array(dataset.elements(epoch: 0))
        let y = batches.compactMap(\.y)
        let join = { (parts: [Tensor]) in dataset.isBatched ? concatenate(parts) : stack(parts) }
        return (join(batches.map(\.x)), y.isEmpty ? nil : join(y))
    }

    @Test func filePartitionsMatchKeras() throws {
        for (base, key) in [(Self.images, "image_index"), (Self.texts, "text_index")] {
            for case let e as [String: Any] in Self.expected[key] as! [Any] {
                let args = e["args"] as! [String: Any]
                let shuffle = args["shuffle"] as! Bool
                let seed = (args["seed"] as? NSNumber)?.intValue
                let classNames = args["class_names"] as? [String]
                let formats = key == "image_index" ? [".png", ".jpg", ".jpeg"] : [".txt"]
                let index = try DirectoryIndex(directory: base, labels: .inferred, formats: formats, classNames: classNames,
                                               shuffle: shuffle, seed: UInt32(seed ?? 0), followLinks: false, function: "test")
                #expect(Self.relative(index.paths, base) == e["paths"] as! [String], "\(key) \(args)")
                #expect(index.labels == Self.ints(e["labels"]), "\(key) \(args)")
                #expect(index.classNames == e["class_names"] as? [String], "\(key) \(args)")
                guard shuffle else { continue }
                for split in [0.3, 0.5] {
                    for subset in [DirectorySubset.training, .validation] {
                        let part = e["\(subset.rawValue)_\(split)"] as! [String: Any]
                        if base == Self.texts {
                            let data = try textDatasetFromDirectory(base, classNames: classNames, seed: seed, validationSplit: split,
                                                                    subset: subset, verbose: false)
                            #expect(Self.relative(data.filePaths, base) == part["paths"] as! [String], "\(args) \(split) \(subset)")
                            #expect(Self.labels(data.labels) == Self.ints(part["labels"]), "\(args) \(split) \(subset)")
                        } else {
                            var restricted = index
                            restricted.restrict(validationSplit: split, subset: subset)
                            #expect(Self.relative(restricted.paths, base) == part["paths"] as! [String], "\(args) \(split) \(subset)")
                            #expect(restricted.labels == Self.ints(part["labels"]), "\(args) \(split) \(subset)")
                        }
                    }
                }
            }
        }
    }

    @Test func imagesDecodeAndResizeAsKeras() throws {
        let decoded = Self.expected["images"] as! [String: [String: Any]]
        for (mode, suffix) in [(ImageColorMode.rgb, "rgb"), (.grayscale, "grayscale"), (.rgba, "rgba")] {
            for (size, crop, pad, name) in [((4, 6), false, false, "4x6"), ((3, 3), true, false, "3x3_crop"), ((5, 4), false, true, "5x4_pad")] {
                let data = try imageDatasetFromDirectory(Self.images, colorMode: mode, batchSize: 4, imageSize: size, shuffle: false,
                                                         cropToAspectRatio: crop, padToAspectRatio: pad, verbose: false)
                let (x, y) = Self.everything(data.dataset)
                #expect(x.shape == [11, size.0, size.1, mode.channels])
                #expect(data.classNames == ["birds", "cats", "dogs"])
                #expect(Self.labels(y) == Self.ints((Self.expected["image_index"] as! [[String: Any]])[0]["labels"]))
                for (i, path) in Self.relative(data.filePaths, Self.images).enumerated() {
                    let want = (decoded[path]!["\(suffix)_\(name)"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
                    let got = x.slice(axis: 0, start: i, end: i + 1).cast(to: .float64).toArray(of: Double.self)
                    // PNG decoding is exact; JPEG may differ by a grey level between libjpeg-turbo builds.
                    let jpeg = path.lowercased().hasSuffix("jpg") || path.lowercased().hasSuffix("jpeg")
                    assertClose(got, want, rtol: 0, atol: jpeg ? 1.01 : 1e-3, "\(path) \(suffix) \(name)")
                }
            }
        }
    }

    @Test func labelModesSplitsAndBatches() throws {
        let categorical = try imageDatasetFromDirectory(Self.images, labelMode: .categorical, batchSize: 3, imageSize: (2, 2),
                                                        seed: 1337, validationSplit: 0.3, subset: .validation, verbose: false)
        let keras = (Self.expected["image_index"] as! [[String: Any]])[1]["validation_0.3"] as! [String: Any]
        #expect(Self.relative(categorical.filePaths, Self.images) == keras["paths"] as! [String])
        #expect(categorical.dataset.count == 1)
        let y = Self.everything(categorical.dataset).y!
        #expect(y.shape == [3, 3] && y.sum().item(as: Float.self) == 3)

        let binary = try imageDatasetFromDirectory(Self.images, labelMode: .binary, classNames: ["dogs", "cats"], batchSize: nil,
                                                   imageSize: (2, 2), shuffle: false, verbose: false)
        let b = Self.everything(binary.dataset)
        #expect(b.x.shape == [9, 2, 2, 3], "\(b.x.shape)")
        #expect(b.y!.shape == [9, 1] && b.y!.dtype == .float32, "\(b.y!.shape)")
        #expect(Self.labels(b.y) == [0, 0, 0, 0, 1, 1, 1, 1, 1])   // dogs first, as classNames orders them

        let unlabeled = try imageDatasetFromDirectory(Self.images, labelMode: nil, imageSize: (2, 2), shuffle: false, verbose: false)
        #expect(unlabeled.classNames == nil && Self.everything(unlabeled.dataset).y == nil)

        let explicit = try imageDatasetFromDirectory(Self.images, labels: .explicit(Array(0..<12).map { $0 % 2 }), imageSize: (2, 2),
                                                     shuffle: false, verbose: false)
        #expect(explicit.classNames == ["0", "1"])
        #expect(Self.labels(Self.everything(explicit.dataset).y) == Array(0..<12).map { $0 % 2 })   // hidden folders count here, as in Keras
    }

    @Test func badArgumentsAndCorruptImagesThrow() throws {
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, labelMode: .binary, verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, validationSplit: 0.2, subset: .training, verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, seed: 1, validationSplit: 0.2, verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, seed: 1, validationSplit: 1.5, subset: .training, verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, classNames: ["cats", "lions"], verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, labels: .explicit([0, 1]), verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.root + "/missing", verbose: false) }
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.texts, verbose: false) }   // no images
        #expect(throws: KerasError.self) { try imageDatasetFromDirectory(Self.images, imageSize: (0, 4), verbose: false) }

        // A truncated PNG, a damaged JPEG and a non-image with an image extension: each named.
        let directory = try SavingTests.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/a", withIntermediateDirectories: true)
        let png = try Data(contentsOf: URL(fileURLWithPath: Self.images + "/cats/a.png"))
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: Self.images + "/cats/b.JPG"))
        for (name, bytes) in [("cut.png", png.prefix(png.count / 2)), ("cut.jpg", jpeg.prefix(jpeg.count / 2)),
                              ("text.png", Data("hello".utf8)), ("empty.jpeg", Data())] {
            try? FileManager.default.removeItem(atPath: directory + "/a/bad")
            try FileManager.default.createDirectory(atPath: directory + "/a/bad", withIntermediateDirectories: true)
            try bytes.write(to: URL(fileURLWithPath: directory + "/a/bad/" + name))
            #expect {
                try imageDatasetFromDirectory(directory + "/a", shuffle: false, verbose: false)
            } throws: { error in error is KerasError && "\(error)".contains(name) }
        }
    }

    @Test func textDatasetsReadLabelAndVectorize() throws {
        let data = try textDatasetFromDirectory(Self.texts, batchSize: 3, maxLength: 6, shuffle: false, verbose: false)
        #expect(data.classNames == ["neg", "pos", "zzz"])
        #expect(data.texts.count == 9 && data.texts[0] == "bad fi" && data.texts[1] == "awful.")
        #expect(data.texts[4] == "meh é")   // 6 bytes: "é" is two
        let batches = data.batches()
        #expect(batches.map(\.texts.count) == [3, 3, 3])
        #expect(Self.labels(batches[2].labels) == [1, 1, 2])
        let shuffled = try textDatasetFromDirectory(Self.texts, labelMode: .categorical, batchSize: 4, seed: 3, verbose: false)
        #expect(Set(shuffled.batches(epoch: 0).flatMap(\.texts)) == Set(shuffled.texts))
        #expect(shuffled.batches(epoch: 0).map(\.texts) != shuffled.batches(epoch: 1).map(\.texts))
        #expect(shuffled.labels!.shape == [9, 3])

        let vectorize = TextVectorization(maxTokens: 20, outputSequenceLength: 4)
        try vectorize.adapt(data.texts)
        let dataset = try data.dataset(vectorizedBy: vectorize)
        let (x, y) = Self.everything(dataset)
        #expect(x.shape == [9, 4] && Self.labels(y) == Self.labels(data.labels))
        #expect(throws: KerasError.self) { try textDatasetFromDirectory(Self.images + "/birds", verbose: false) }
    }
}
