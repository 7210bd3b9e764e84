/** Polls an async condition until it holds; the timeout only guards against a hang. */
export const eventually = async (condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, pollMs = 25): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
};
