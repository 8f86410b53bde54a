import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { graphqlWsUrl } from '../graphql/connection';
import { exampleTabs } from './examples';
import './playground.css';

// Queries and mutations over HTTP, subscriptions over graphql-ws, both on this page's own server.
const fetcher = createGraphiQLFetcher({
  url: `${window.location.origin}/graphql`,
  subscriptionUrl: graphqlWsUrl(window.location),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultTabs={exampleTabs} defaultEditorToolsVisibility />
  </StrictMode>,
);
