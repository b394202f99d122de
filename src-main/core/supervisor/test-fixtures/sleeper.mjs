// Does nothing until killed; stands in for a leftover service.
setInterval(() => {}, 60_000);
process.stdout.write('sleeping\n');
