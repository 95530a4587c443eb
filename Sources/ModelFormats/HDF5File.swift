// HDF5 through libhdf5, in memory only: a writer that builds a file image
// (the core driver without a backing store, then `H5Fget_file_image`) and a
// reader over an image (`H5LTopen_file_image`). Paths are HDF5 paths
// (`layers/dense/vars/0`); values are float32 on the way out and converted
// to float32 by libhdf5 on the way in.
//
// libhdf5 has a long record of crashes on malformed files: dnb opens files it
// did not write only in a child process (see ModelFileReader.swift).

import CHDF5

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What went wrong inside libhdf5 or with an object's shape or type.
struct HDF5Error: Error, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// libhdf5 is not thread-safe in Debian's serial build: every call holds this lock.
private let hdf5Lock = HDF5Lock()

private final class HDF5Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func callAsFunction<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// An HDF5 file being built in memory.
final class HDF5Writer {
    private let file: hid_t

    /// A new, empty in-memory file.
    init() throws(HDF5Error) {
        let file: hid_t = hdf5Lock {
            H5open()
            dnb_h5_quiet()
            let access = H5Pcreate(dnb_h5p_file_access())
            defer { H5Pclose(access) }
            H5Pset_fapl_core(access, 1 << 16, false)
            return H5Fcreate("dnb-image.h5", dnb_h5f_acc_trunc(), dnb_h5p_default(), access)
        }
        guard file >= 0 else { throw HDF5Error("libhdf5 could not create an in-memory file") }
        self.file = file
    }

    deinit { _ = hdf5Lock { H5Fclose(file) } }

    /// Creates the group at `path` (and its missing parents).
    func group(_ path: String) throws(HDF5Error) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + part
            let made: Bool = hdf5Lock {
                if H5Lexists(file, prefix, dnb_h5p_default()) > 0 { return true }
                let group = H5Gcreate2(file, prefix, dnb_h5p_default(), dnb_h5p_default(), dnb_h5p_default())
                guard group >= 0 else { return false }
                H5Gclose(group)
                return true
            }
            guard made else { throw HDF5Error("cannot create group \(prefix)") }
        }
    }

    /// A float32 dataset of `shape` (row-major) at `path`; `[]` is a scalar.
    func floats(_ path: String, shape: [Int], _ values: [Float]) throws(HDF5Error) {
        precondition(shape.reduce(1, *) == values.count, "\(path): \(values.count) values for shape \(shape)")
        try parent(of: path)
        let dims = shape.map { hsize_t($0) }
        let status = hdf5Lock {
            H5LTmake_dataset_float(file, path, Int32(dims.count), dims.isEmpty ? nil : dims, values)
        }
        guard status >= 0 else { throw HDF5Error("cannot write dataset \(path)") }
    }

    /// A scalar int64 dataset at `path` (Keras's `iterations`).
    func integer(_ path: String, _ value: Int64) throws(HDF5Error) {
        try parent(of: path)
        var value = value
        let status = hdf5Lock { H5LTmake_dataset(file, path, 0, nil, dnb_h5t_native_llong(), &value) }
        guard status >= 0 else { throw HDF5Error("cannot write dataset \(path)") }
    }

    /// A string attribute `name` on the object at `path` (`/` for the root).
    func attribute(_ path: String, _ name: String, _ value: String) throws(HDF5Error) {
        let status = hdf5Lock { H5LTset_attribute_string(file, path, name, value) }
        guard status >= 0 else { throw HDF5Error("cannot write attribute \(name) on \(path)") }
    }

    /// The file's bytes.
    func image() throws(HDF5Error) -> [UInt8] {
        try hdf5Lock { () throws(HDF5Error) -> [UInt8] in
            H5Fflush(file, H5F_SCOPE_GLOBAL)
            let size = H5Fget_file_image(file, nil, 0)
            guard size > 0 else { throw HDF5Error("libhdf5 gave no file image") }
            var bytes = [UInt8](repeating: 0, count: size)
            let copied = bytes.withUnsafeMutableBytes { H5Fget_file_image(file, $0.baseAddress, size) }
            guard copied == size else { throw HDF5Error("libhdf5 gave a short file image") }
            return bytes
        }
    }

    private func parent(of path: String) throws(HDF5Error) {
        let parts = path.split(separator: "/")
        if parts.count > 1 { try group(parts.dropLast().joined(separator: "/")) }
    }
}

/// An HDF5 file image opened for reading.
final class HDF5Reader {
    private let file: hid_t

    /// Opens `image` (libhdf5 keeps its own copy); throws when libhdf5 does not take it for an HDF5 file.
    init(image: [UInt8]) throws(HDF5Error) {
        var image = image
        let size = image.count
        let file: hid_t = hdf5Lock {
            H5open()
            dnb_h5_quiet()
            return image.withUnsafeMutableBytes { H5LTopen_file_image($0.baseAddress, size, 0) }
        }
        guard file >= 0 else { throw HDF5Error("libhdf5 cannot open it as an HDF5 file") }
        self.file = file
    }

    deinit { _ = hdf5Lock { H5Fclose(file) } }

    /// Whether every component of `path` exists.
    func exists(_ path: String) -> Bool {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + part
            guard hdf5Lock({ H5Lexists(file, prefix, dnb_h5p_default()) }) > 0 else { return false }
        }
        return true
    }

    /// The names of the links in the group at `path`, in name order.
    func children(_ path: String) throws(HDF5Error) -> [String] {
        guard exists(path) else { throw HDF5Error("there is no group \(path)") }
        return try hdf5Lock { () throws(HDF5Error) -> [String] in
            let group = H5Gopen2(file, path, dnb_h5p_default())
            guard group >= 0 else { throw HDF5Error("\(path) is not a group") }
            defer { H5Gclose(group) }
            var info = H5G_info_t()
            guard H5Gget_info(group, &info) >= 0 else { throw HDF5Error("cannot list group \(path)") }
            guard info.nlinks <= 100_000 else { throw HDF5Error("group \(path) has \(info.nlinks) members") }
            var names: [String] = []
            for index in 0..<info.nlinks {
                let length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, dnb_h5p_default())
                guard length >= 0, length < 65_536 else { throw HDF5Error("cannot list group \(path)") }
                var buffer = [CChar](repeating: 0, count: length + 1)
                H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, dnb_h5p_default())
                names.append(String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// A numeric dataset's shape and values as float32, refusing more than `limit` values.
    func floats(_ path: String, limit: Int) throws(HDF5Error) -> (shape: [Int], values: [Float]) {
        guard exists(path) else { throw HDF5Error("there is no dataset \(path)") }
        return try hdf5Lock { () throws(HDF5Error) -> ([Int], [Float]) in
            let dataset = H5Dopen2(file, path, dnb_h5p_default())
            guard dataset >= 0 else { throw HDF5Error("\(path) is not a dataset") }
            defer { H5Dclose(dataset) }
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            let typeClass = H5Tget_class(type)
            guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
                throw HDF5Error("dataset \(path) does not hold numbers")
            }
            let space = H5Dget_space(dataset)
            guard space >= 0 else { throw HDF5Error("dataset \(path) has no dataspace") }
            defer { H5Sclose(space) }
            let rank = H5Sget_simple_extent_ndims(space)
            guard rank >= 0, rank <= 8 else { throw HDF5Error("dataset \(path) has rank \(rank)") }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
            var count = 1
            for dim in dims {
                guard dim <= hsize_t(limit) else { throw HDF5Error("dataset \(path) is larger than \(limit) values") }
                count *= Int(dim)
                guard count <= limit else { throw HDF5Error("dataset \(path) is larger than \(limit) values") }
            }
            guard H5Sget_simple_extent_npoints(space) == count else {
                throw HDF5Error("dataset \(path) has an inconsistent dataspace")
            }
            var values = [Float](repeating: 0, count: count)
            if count > 0 {
                let status = values.withUnsafeMutableBytes {
                    H5Dread(dataset, dnb_h5t_native_float(), dnb_h5s_all(), dnb_h5s_all(), dnb_h5p_default(), $0.baseAddress)
                }
                guard status >= 0 else { throw HDF5Error("cannot read dataset \(path)") }
            }
            return (dims.map { Int($0) }, values)
        }
    }

    /// The strings of attribute `name` on the object at `path`: fixed- or
    /// variable-length, a scalar or a list; nil when there is no such attribute.
    /// A numeric attribute with no elements (h5py's empty `weight_names`) is an empty list.
    func strings(_ path: String, attribute name: String) throws(HDF5Error) -> [String]? {
        guard path == "/" || exists(path) else { return nil }
        return try hdf5Lock { () throws(HDF5Error) -> [String]? in
            guard H5Aexists_by_name(file, path, name, dnb_h5p_default()) > 0 else { return nil }
            let attribute = H5Aopen_by_name(file, path, name, dnb_h5p_default(), dnb_h5p_default())
            guard attribute >= 0 else { throw HDF5Error("cannot open attribute \(name) of \(path)") }
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            let count = Int(H5Sget_simple_extent_npoints(space))
            guard count >= 0, count <= 100_000 else { throw HDF5Error("attribute \(name) of \(path) is too large") }
            guard H5Tget_class(type) == H5T_STRING else {
                if count == 0 { return [] }
                throw HDF5Error("attribute \(name) of \(path) is not text")
            }
            let memory = H5Tcopy(dnb_h5t_c_s1())
            defer { H5Tclose(memory) }
            if H5Tis_variable_str(type) > 0 {
                H5Tset_size(memory, dnb_h5t_variable())
                H5Tset_cset(memory, H5Tget_cset(type))
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                guard count == 0 || H5Aread(attribute, memory, &pointers) >= 0 else {
                    throw HDF5Error("cannot read attribute \(name) of \(path)")
                }
                let texts = pointers.map { $0.map { String(cString: $0) } ?? "" }
                if count > 0 { H5Dvlen_reclaim(memory, space, dnb_h5p_default(), &pointers) }
                return texts
            }
            let size = H5Tget_size(type)
            guard size > 0, size <= 64 << 20, count * size <= 64 << 20 else {
                throw HDF5Error("attribute \(name) of \(path) is too large")
            }
            // Read in the file's own type: no conversion (a NUL-terminated memory
            // type of the same size would drop the last byte of a NUL-padded string).
            var bytes = [UInt8](repeating: 0, count: count * size)
            guard count == 0 || H5Aread(attribute, type, &bytes) >= 0 else {
                throw HDF5Error("cannot read attribute \(name) of \(path)")
            }
            return (0..<count).map { index in
                let slice = bytes[(index * size)..<((index + 1) * size)]
                return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
    }
}
