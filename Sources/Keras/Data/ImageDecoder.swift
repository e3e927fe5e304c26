import CPNG
import CTurboJPEG
import Foundation

/// Decodes PNG files through the system libpng (its "simplified" API, which reports errors
/// instead of jumping out of the caller) and JPEG files through libjpeg-turbo's TurboJPEG API,
/// into 8-bit pixels, converting colours as Keras's PIL-based loader does (`Image.convert`):
/// alpha is dropped for RGB, grey is replicated, and RGB becomes grey by ITU-R 601 luma.
///
/// ```swift
/// let image = try ImageDecoder.decode(bytes, path: "cats/1.png", channels: 3)
/// image.pixels.count   // image.height * image.width * 3
/// ```
enum ImageDecoder {
    /// Images larger than this many pixels are refused (a small hostile file can claim any size).
    static let maxPixels = 1 << 28

    /// Decoded 8-bit pixels, row-major, `channels` per pixel.
    struct Image {
        var height: Int
        var width: Int
        var channels: Int
        var pixels: [UInt8]
    }

    /// Decodes PNG or JPEG bytes (recognised by their signature, whatever the file's extension)
    /// into 1 (grey), 3 (RGB) or 4 (RGBA) channels. Throws a ``KerasError`` naming `path` for
    /// other formats and for damaged or truncated files.
    static func decode(_ bytes: [UInt8], path: String, channels: Int) throws -> Image {
        require([1, 3, 4].contains(channels), "ImageDecoder: channels must be 1, 3 or 4, got \(channels)")
        let rgba: Image
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            rgba = try decodePNG(bytes, path: path)
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            rgba = try decodeJPEG(bytes, path: path)
        } else {
            throw KerasError.corruptFile(file: path, expected: "a PNG or JPEG image", got: bytes.isEmpty ? "an empty file" : "other bytes")
        }
        return convert(rgba, to: channels)
    }

    private static func checkSize(_ width: Int, _ height: Int, path: String) throws {
        guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).partialValue <= maxPixels,
              width <= maxPixels, height <= maxPixels else {
            throw KerasError.corruptFile(file: path, expected: "an image of 1 to \(maxPixels) pixels", got: "\(width)×\(height)")
        }
    }

    /// RGBA pixels from libpng.
    private static func decodePNG(_ bytes: [UInt8], path: String) throws -> Image {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure(_ stage: String) -> KerasError {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .corruptFile(file: path, expected: "a valid PNG image", got: "\(stage) failed: \(message)")
        }
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw failure("reading the header")
        }
        let (width, height) = (Int(image.width), Int(image.height))
        try checkSize(width, height, path: path)
        image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // 8-bit RGBA
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        guard pixels.withUnsafeMutableBytes({ png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }) != 0 else {
            throw failure("decoding")
        }
        return Image(height: height, width: width, channels: 4, pixels: pixels)
    }

    /// RGB pixels from TurboJPEG (accurate integer DCT, smooth chroma upsampling: libjpeg's defaults).
    private static func decodeJPEG(_ bytes: [UInt8], path: String) throws -> Image {
        guard let handle = tjInitDecompress() else {
            throw KerasError.unreadableFile(file: path, reason: "cannot start the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        func failure(_ stage: String) -> KerasError {
            .corruptFile(file: path, expected: "a valid JPEG image", got: "\(stage) failed: \(String(cString: tjGetErrorStr2(handle)))")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw failure("reading the header") }
        try checkSize(Int(width), Int(height), path: path)
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let status = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, source.baseAddress, UInt(bytes.count), out.baseAddress, width, 0, height,
                              Int32(TJPF_RGB.rawValue), 0)
            }
        }
        guard status == 0 else { throw failure("decoding") }
        return Image(height: Int(height), width: Int(width), channels: 3, pixels: pixels)
    }

    /// PIL's conversions from RGB(A): drop or add alpha, or luma `(19595 R + 38470 G + 7471 B + 2¹⁵) >> 16`.
    private static func convert(_ image: Image, to channels: Int) -> Image {
        if image.channels == channels { return image }
        let count = image.height * image.width, from = image.channels
        var out = [UInt8](repeating: 255, count: count * channels)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let r = src[i * from], g = src[i * from + 1], b = src[i * from + 2]
                    switch channels {
                    case 1:
                        let luma: UInt32 = UInt32(r) * 19595 + UInt32(g) * 38470 + UInt32(b) * 7471 + 0x8000
                        dst[i] = UInt8(luma >> 16)
                    default:
                        dst[i * channels] = r; dst[i * channels + 1] = g; dst[i * channels + 2] = b
                        if channels == 4, from == 4 { dst[i * 4 + 3] = src[i * 4 + 3] }
                    }
                }
            }
        }
        return Image(height: image.height, width: image.width, channels: channels, pixels: out)
    }
}
