// The page shown for an error in the browser.
import { Layout } from './layout';

const TITLES: Record<number, string> = {
  400: 'That request was not valid',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'That clashes with a change already made',
  413: 'Too large',
  422: 'Please check the form',
  429: 'Too many attempts',
  500: 'Something went wrong',
};

export function renderErrorPage(status: number, message: string, requestId: string): string {
  const title = TITLES[status] ?? 'Error';
  return (
    <Layout title={title}>
      <section class="card narrow">
        <h1 safe>{title}</h1>
        <p safe>{message}</p>
        <p class="muted">
          <small>
            Reference: <code safe>{requestId}</code>
          </small>
        </p>
        <p>
          <a href="/">Back to the start page</a>
        </p>
      </section>
    </Layout>
  ) as string;
}
