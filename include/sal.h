/* SPDX-License-Identifier: MIT */
/*
 * Source annotation macros. Driver sources carry them for the Windows static
 * analyzer; here they expand to nothing so the same text compiles unchanged.
 */
#ifndef UMNIC_SAL_H
#define UMNIC_SAL_H

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

#endif
