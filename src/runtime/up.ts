/** Placeholder replaced by the supervisor work (arbees up). */
export async function runUp(): Promise<void> {
  throw new Error('arbees up is not built yet');
}
