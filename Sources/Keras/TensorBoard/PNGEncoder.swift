import CZlib
import Foundation

/// Encodes 8-bit images as PNG (the format TensorBoard's image plugin displays), with zlib from
/// Debian's zlib1g for the compressed data and the chunk checksums.
///
/// ```swift
/// let png = PNGEncoder.encode(pixels: [0, 128, 255, 64], width: 2, height: 2, channels: 1)
/// ```
public enum PNGEncoder {
    /// PNG bytes for `pixels`, row-major `height × width × channels` (1 gray, 2 gray+alpha, 3 RGB,
    /// 4 RGBA). Misuse (wrong pixel count or channel count) stops with a message.
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        require(width > 0 && height > 0, "PNGEncoder.encode: width and height must be positive, got \(width)×\(height)")
        require(pixels.count == width * height * channels,
                "PNGEncoder.encode: expected \(width * height * channels) pixels for \(height)×\(width)×\(channels), got \(pixels.count)")
        let colorType: UInt8
        switch channels {
        case 1: colorType = 0
        case 2: colorType = 4
        case 3: colorType = 2
        case 4: colorType = 6
        default: fatalError("PNGEncoder.encode: channels must be 1, 2, 3 or 4, got \(channels)")
        }
        var raw: [UInt8] = []
        raw.reserveCapacity((width * channels + 1) * height)
        let rowBytes = width * channels
        for y in 0..<height {
            raw.append(0)  // filter: none
            raw += pixels[(y * rowBytes)..<((y + 1) * rowBytes)]
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, colorType, 0, 0, 0]
        png += chunk("IHDR", header)
        png += chunk("IDAT", zlibCompress(raw))
        png += chunk("IEND", [])
        return png
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc)
    }

    private static func zlibCompress(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                compress2(out.baseAddress, &length, inp.baseAddress, uLong(inp.count), 6)
            }
        }
        require(status == Z_OK, "PNGEncoder: zlib compress2 failed (\(status))")
        return Array(output[0..<Int(length)])
    }
}
