// Status and Result<T>: how every fallible operation in PersistLab reports
// failure. Modelled on LevelDB's Status: a small fixed set of codes plus a
// human-readable message that names the file and byte offset where relevant.
//
// Client mistakes (wrong type, syntax errors) are NOT Statuses: they are RESP
// error replies built by the command handlers. A Status is for the engine's
// own operations: loading a file, writing to a Disk, parsing a config file.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/util/check.h"

namespace plab {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kNotFound, kCorruption, kIoError, kInvalidArgument, kNotSupported };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IoError(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotSupported(std::string msg) {
    return Status(Code::kNotSupported, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "Corruption: dump.rdb offset 1234: bad length" style, for logs.
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok() (an OK Status holds no value to return).
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    PLAB_DCHECK(!std::get<Status>(data_).ok(), "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  // REQUIRES: ok(). Checked always (std::get checks anyway), so reading the
  // value of an error stops with the error's text instead of an unexplained
  // bad_variant_access (an abort without a message in the wasm build).
  T& value() & {
    CheckHasValue();
    return *std::get_if<T>(&data_);
  }
  const T& value() const& {
    CheckHasValue();
    return *std::get_if<T>(&data_);
  }
  T&& value() && {
    CheckHasValue();
    return std::move(*std::get_if<T>(&data_));
  }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  void CheckHasValue() const {
    if (!ok()) {
      CheckFailed(__FILE__, __LINE__, "ok()",
                  "Result::value() on an error: " + std::get<Status>(data_).ToString());
    }
  }

  std::variant<T, Status> data_;
};

}  // namespace plab

// Returns early from the enclosing function when `expr` is not OK.
#define PLAB_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::plab::Status plab_status_ = (expr);        \
    if (!plab_status_.ok()) return plab_status_; \
  } while (0)
