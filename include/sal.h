/* SPDX-License-Identifier: MIT */
/*
 * Source annotation macros. Driver sources carry them for the Windows static
 * analyzer; here they expand to nothing so the same text compiles unchanged.
 *
 * The SAL 1 names (__in, __out, ...) are also identifiers inside the GNU C++
 * library (parameter names such as __in and __out in <utility>, <string> and
 * <thread>). Once defined as empty macros, a standard header included later
 * no longer parses. So in C++ the standard headers that use those names are
 * included first, here, before the macros exist; their include guards keep
 * them from being read again. Define UMNIC_NO_SAL1 to get no SAL 1 names (and
 * no early includes).
 */
#ifndef UMNIC_SAL_H
#define UMNIC_SAL_H

#if defined(__cplusplus) && !defined(UMNIC_NO_SAL1)
#include <algorithm>
#if __cplusplus >= 201703L
#include <filesystem>
#endif
#include <atomic>
#include <functional>
#include <iomanip>
#include <istream>
#include <locale>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <regex>
#include <ostream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>
#endif

#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_opt_(n)
#define _Out_writes_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_to_(n, c)
#define _Out_writes_bytes_to_(n, c)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_bytebuffer_(n)
#define _Outptr_opt_result_bytebuffer_(n)
#define _Deref_out_range_(a, b)
#define _In_range_(a, b)
#define _Out_range_(a, b)
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(e)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Post_writable_byte_size_(n)
#define _Field_size_(n)
#define _Field_size_bytes_(n)
#define _Field_size_opt_(n)
#define _Field_range_(a, b)
#define _Null_terminated_
#define _NullNull_terminated_
#define _Printf_format_string_
#define _Strict_type_match_
#define _IRQL_requires_(l)
#define _IRQL_requires_max_(l)
#define _IRQL_requires_min_(l)
#define _IRQL_requires_same_
#define _IRQL_raises_(l)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_always_function_max_(l)
#define _When_(c, a)
#define _Function_class_(n)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Kernel_clear_do_init_(v)
#define _Kernel_requires_resource_held_(r)
#define _Analysis_assume_(e)
#define _Use_decl_annotations_
#define _Pre_satisfies_(e)
#define _Post_satisfies_(e)
#define _Post_ptr_invalid_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Reserved_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Post_null_
#define _Post_notnull_
#define _Post_z_
#define _Post_valid_
#define _Notnull_
#define _Maybenull_
#define _Const_
#define _Pre_
#define _Post_
#define _Deref_pre_
#define _Deref_post_
#define _Dispatch_type_(t)
#define _Outptr_result_buffer_(n)
#define _Outptr_result_buffer_maybenull_(n)
#define _Outptr_result_bytebuffer_maybenull_(n)
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Out_writes_bytes_all_(n)
#define _Out_writes_all_(n)
#define _Out_writes_z_(n)
#define _Out_writes_bytes_to_opt_(n, c)
#define _Out_writes_to_opt_(n, c)
#define _Inout_updates_(n)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_opt_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Inout_z_
#define _In_z_
#define _In_opt_z_
#define _In_reads_z_(n)
#define _In_reads_or_z_(n)
#define _Printf_format_string_params_(n)
#define _Ret_z_
#define _Ret_range_(a, b)
#define _Ret_writes_bytes_maybenull_(n)
#define _Ret_writes_maybenull_(n)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Return_type_success_(e)
#define _Must_inspect_impl_
#define _Check_return_opt_
#define _Deref_out_
#define _Deref_out_opt_
#define _Deref_in_range_(a, b)
#define _Pre_equal_to_(e)
#define _Post_equal_to_(e)
#define _Post_invalid_
#define _Post_readable_size_(n)
#define _Post_writable_size_(n)
#define _Pre_readable_size_(n)
#define _Pre_writable_size_(n)
#define _Readable_bytes_(n)
#define _Writable_bytes_(n)
#define _Readable_elements_(n)
#define _Writable_elements_(n)
#define _Field_z_
#define _Field_size_full_(n)
#define _Field_size_part_(n, c)
#define _Field_size_bytes_full_(n)
#define _Field_size_bytes_part_(n, c)
#define _Guarded_by_(l)
#define _Interlocked_
#define _Interlocked_operand_
#define _Has_lock_kind_(k)
#define _Lock_kind_spin_lock_
#define _Create_lock_level_(l)
#define _Acquires_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Releases_shared_lock_(l)
#define _Requires_exclusive_lock_held_(l)
#define _Requires_shared_lock_held_(l)
#define _Requires_no_locks_held_
#define _No_competing_thread_
#define _Benign_race_begin_
#define _Benign_race_end_
#define _Analysis_mode_(m)
#define _Analysis_noreturn_
#define _Analysis_suppress_lock_checking_(l)
#define _IRQL_is_cancel_
#define _IRQL_uses_cancel_
#define _IRQL_requires_min_(l)
#define _IRQL_saves_global_(k, l)
#define _IRQL_restores_global_(k, l)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Kernel_acquires_resource_(r)
#define _Kernel_releases_resource_(r)
#define _Kernel_IoGetDmaAdapter_
#define _Kernel_requires_resource_not_held_(r)
#define _Pre_defensive_
#define _Post_defensive_
#define _Points_to_data_
#define _Literal_
#define _Notliteral_
#define _Unchanged_(e)
#define _At_(e, a)
#define _At_buffer_(t, i, b, a)
#define _On_failure_(a)
#define _Always_(a)
#define _Group_(a)
#define _Struct_size_bytes_(n)
#define _Enum_is_bitflag_
#define _Strict_type_match_
#define _Out_writes_bytes_all_opt_(n)
#define _In_reads_bytes_opt_(n)
#define _Inout_opt_z_
#define _Outptr_opt_result_buffer_(n)
#define _Outptr_opt_result_bytebuffer_maybenull_(n)
#define _COM_Outptr_
#define _COM_Outptr_opt_

/* The analyzer's assumption statements compile to nothing, arguments unevaluated. */
#define __analysis_assume(e) ((void)0)
#define _Analysis_assume_nullterminated_(p) ((void)0)
#define __assume(e) ((void)0)

/* Annotations for the driver code-analysis tools. */
#define __drv_dispatchType(t)
#define __drv_dispatchType_other
#define __drv_maxIRQL(l)
#define __drv_minIRQL(l)
#define __drv_requiresIRQL(l)
#define __drv_setsIRQL(l)
#define __drv_raisesIRQL(l)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_when(c, a)
#define __drv_aliasesMem
#define __drv_allocatesMem(k)
#define __drv_freesMem(k)
#define __drv_arg(e, a)
#define __drv_functionClass(n)
#define __drv_sameIRQL
#define __drv_useCancelIRQL
#define __drv_inTry
#define __drv_valueIs(l)
#define __drv_strictType(t, m)
#define __drv_strictTypeMatch(m)
#define __drv_mustHold(r)
#define __drv_neverHold(r)
#define __drv_acquiresResource(r)
#define __drv_releasesResource(r)
#define __drv_reportError(m)
#define __drv_preferredFunction(f, m)
#define __drv_isObjectPointer
#define __drv_out(a)
#define __drv_in(a)

/* Annotations of validity, string lengths and error translation (WIL and the SDK use them). */
#define _Pre_valid_
#define _Pre_opt_valid_
#define _In_count_(n)
#define _In_reads_to_ptr_(p)
#define _In_reads_to_ptr_opt_(p)
#define _Inout_updates_z_(n)
#define _Inout_updates_opt_z_(n)
#define _Out_writes_to_ptr_(p)
#define _Out_writes_to_ptr_opt_(p)
#define _Outptr_result_maybenull_z_
#define _Outptr_result_z_
#define _Post_equals_last_error_
#define _Ret_opt_bytecap_(n)
#define _Ret_bytecap_(n)
#define _String_length_(s)
#define _Translates_Win32_to_HRESULT_(e)
#define _Translates_NTSTATUS_to_HRESULT_(s)
#define _Translates_last_error_to_HRESULT_

#ifndef UMNIC_NO_SAL1
/* SAL 1: the older spelling still found in driver sources. */
#define __in
#define __in_opt
#define __in_z
#define __in_opt_z
#define __in_bcount(n)
#define __in_bcount_opt(n)
#define __in_ecount(n)
#define __in_ecount_opt(n)
#define __in_xcount(n)
#define __out
#define __out_opt
#define __out_z
#define __out_bcount(n)
#define __out_bcount_opt(n)
#define __out_ecount(n)
#define __out_ecount_opt(n)
#define __out_bcount_part(n, c)
#define __out_ecount_part(n, c)
#define __out_bcount_full(n)
#define __out_ecount_full(n)
#define __inout
#define __inout_opt
#define __inout_z
#define __inout_bcount(n)
#define __inout_ecount(n)
#define __inout_bcount_opt(n)
#define __inout_ecount_opt(n)
#define __deref_out
#define __deref_out_opt
#define __deref_opt_out
#define __deref_inout
#define __deref_out_bcount(n)
#define __deref_out_ecount(n)
#define __deref_in
#define __reserved
#define __checkReturn
#define __callback
#define __nullterminated
#define __field_bcount(n)
#define __field_ecount(n)
#define __field_range(a, b)
#define __bcount(n)
#define __ecount(n)
#define __bcount_opt(n)
#define __ecount_opt(n)
#define __success(e)
#define __range(a, b)
#define __notnull
#define __maybenull
#define __format_string
#define __typefix(t)
#endif

#endif
