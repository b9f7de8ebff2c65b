/** Stands in for a decoder that cannot even start (a broken build): throws as it loads. */
throw new Error('the decoder module failed to load');
