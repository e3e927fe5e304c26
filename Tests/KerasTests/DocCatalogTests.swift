// The DocC catalogs (`make docs` builds them): every module has one, the Keras catalog has its
// articles, `<doc:…>` links name articles that exist, and every ```swift block of a catalog is
// compiled by a test (it appears verbatim in one of the DocSnippet/DocArticle test files).
import Foundation
import Testing

@Suite("DocC catalogs") struct DocCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let modules = ["Keras", "KerasCore", "KerasDistributed", "KerasServing"]
    static let articles = ["GettingStarted", "TheSequentialModel", "TheFunctionalAPI", "TrainingAndEvaluation",
                           "WritingYourOwnLayers", "CustomTrainingLoops", "SavingAndLoading", "PerformanceNotes"]
    /// The test files that hold the catalogs' code.
    static let snippetFiles = ["Tests/KerasTests/DocArticleTests.swift", "Tests/KerasCoreTests/DocSnippetTests.swift",
                               "Tests/KerasServingTests/DocSnippetTests.swift",
                               "Tests/KerasDistributedTests/DocSnippetTests.swift"]

    static func catalog(_ module: String) -> URL {
        root.appendingPathComponent("Sources/\(module)/\(module).docc")
    }

    static func pages(_ module: String) throws -> [String: String] {
        let folder = catalog(module)
        var pages: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".md") {
            pages[String(name.dropLast(3))] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        return pages
    }

    /// The lines of each ```swift block, trimmed, without blank lines.
    static func swiftBlocks(_ text: String) -> [[String]] {
        var blocks: [[String]] = [], current: [String]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" {
                current = []
            } else if current != nil, trimmed == "```" {
                blocks.append(current!)
                current = nil
            } else if current != nil, !trimmed.isEmpty {
                current!.append(trimmed)
            }
        }
        return blocks
    }

    @Test func everyModuleHasACatalogWithItsLandingPage() throws {
        for module in Self.modules {
            let pages = try Self.pages(module)
            let landing = try #require(pages[module], "\(module).docc has no \(module).md")
            #expect(landing.hasPrefix("# ``\(module)``"), "\(module).md must start with the module's symbol link")
            #expect(landing.contains("## Topics"), "\(module).md has no topic groups")
        }
    }

    @Test func theKerasCatalogHasEveryArticleAndItsLandingPageListsThem() throws {
        let pages = try Self.pages("Keras")
        for article in Self.articles {
            #expect(pages[article] != nil, "Keras.docc has no \(article).md")
            #expect(pages["Keras"]!.contains("<doc:\(article)>"), "Keras.md does not list \(article)")
        }
    }

    @Test func articleLinksResolve() throws {
        for module in Self.modules {
            let pages = try Self.pages(module)
            for (name, text) in pages {
                for match in text.matches(of: /<doc:([A-Za-z0-9_-]+)>/) {
                    #expect(pages[String(match.1)] != nil, "\(module).docc/\(name).md links to missing <doc:\(match.1)>")
                }
            }
        }
    }

    @Test func everySwiftBlockIsCompiledByATest() throws {
        let tests = try Self.snippetFiles.map {
            try String(contentsOf: Self.root.appendingPathComponent($0), encoding: .utf8)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var blockCount = 0
        for module in Self.modules {
            for (name, text) in try Self.pages(module) {
                for block in Self.swiftBlocks(text) {
                    blockCount += 1
                    let found = tests.contains { lines in
                        lines.count >= block.count && (0...(lines.count - block.count)).contains {
                            Array(lines[$0..<($0 + block.count)]) == block
                        }
                    }
                    #expect(found, "\(module).docc/\(name).md: this block is in no test file:\n\(block.joined(separator: "\n"))")
                }
            }
        }
        #expect(blockCount >= 20)
    }
}
