import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApolloClient } from '../graphql/apollo';
import { createConnection, graphqlWsUrl } from '../graphql/connection';
import { App } from './App';
import './styles.css';

const connection = createConnection(graphqlWsUrl(window.location));
const client = createApolloClient(connection);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <App connection={connection} />
    </ApolloProvider>
  </StrictMode>,
);
