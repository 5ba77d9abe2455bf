/** R2 binding errors end with R2's numeric code, e.g. "completeMultipartUpload: ... (10025)". */
export const r2Code = (error: unknown) => Number(String(error instanceof Error ? error.message : error).match(/\((\d{5,6})\)\s*$/)?.[1] ?? 0);

export const R2_NO_SUCH_UPLOAD = 10024;

/** Aborts a multipart upload; one already completed, aborted or expired is not an error (it is gone either way). */
export async function abortMultipart(bucket: R2Bucket, key: string, uploadId: string): Promise<void> {
  try {
    await bucket.resumeMultipartUpload(key, uploadId).abort();
  } catch (error) {
    if (r2Code(error) !== R2_NO_SUCH_UPLOAD) throw error;
  }
}
